"""A receiver for forwarded events that verifies every request with the
Python `standardwebhooks` package (the Standard Webhooks reference
implementation, not the relay's own code).

    python3 standard_webhooks_receiver.py --secret-file SECRETS

SECRETS holds the destination's `whsec_...` secret(s), one a line; it is read
again on every request, so a test can change which secret the receiver knows.
The first line on stdout is `listening 127.0.0.1:PORT`; then one JSON line per
request: its webhook-id, whether it verified (and the error if not), the event's
type, id and subject, and how many signatures the header carried. A verified
request is answered 204, any other 401.
"""

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    out = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            headers = {k: v for k, v in self.headers.items()}
            with open(args.secret_file, encoding="utf-8") as f:
                secrets = [line.strip() for line in f if line.strip()]
            verified, error, data = False, "no secret", None
            for secret in secrets:
                try:
                    data = Webhook(secret).verify(body, headers)
                    verified, error = True, None
                    break
                except Exception as e:  # the verifier's own error, reported
                    error = f"{type(e).__name__}: {e}"
            record = {
                "id": headers.get("webhook-id") or headers.get("Webhook-Id"),
                "verified": verified,
                "error": error,
                "signatures": len((self.headers.get("webhook-signature") or "").split()),
                "type": (data or {}).get("type"),
                "event_id": ((data or {}).get("data") or {}).get("event_id"),
                "subject_id": ((data or {}).get("data") or {}).get("subject_id"),
                "version": (data or {}).get("version"),
            }
            with out:
                print(json.dumps(record), flush=True)
            self.send_response(204 if verified else 401)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    host, port = server.server_address[:2]
    print(f"listening {host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
