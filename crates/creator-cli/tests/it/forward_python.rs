//! Forwarded events verified by an independent Standard Webhooks
//! implementation: the Python `standardwebhooks` package (the reference
//! implementation, not this project's code or the crate it signs with),
//! running `tests/receivers/standard_webhooks_receiver.py` on 127.0.0.1
//! against the real `creator relay` binary.
//!
//! It needs `CREATOR_TEST_STANDARDWEBHOOKS_PYTHON` (a Python interpreter
//! with the package) when the tests are built; `.ci/run` installs the package
//! with pip and sets it. Without it these tests are reported as ignored with
//! the reason, never as passed, and under `CI=true` that is a failure
//! ([`ci_runs_the_independent_verifier`]).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::forward::{refund, sale};
use crate::forward_binary::post_sale;
use crate::support::*;

const VAR: &str = "CREATOR_TEST_STANDARDWEBHOOKS_PYTHON";

/// The interpreter with `standardwebhooks`: as set now, else as it was
/// when the tests were built (build.rs).
fn python() -> String {
    std::env::var(VAR)
        .ok()
        .or_else(|| option_env!("CREATOR_TEST_STANDARDWEBHOOKS_PYTHON").map(str::to_owned))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("{VAR} is not set"))
}

/// The Python receiver: its URL, the file of secrets it verifies with, and
/// one JSON line per request it got.
pub struct PyReceiver {
    child: tokio::process::Child,
    pub url: String,
    pub secrets: PathBuf,
    got: Arc<Mutex<Vec<Value>>>,
}

impl PyReceiver {
    /// Starts the receiver knowing no secret yet (`secrets` is empty).
    pub async fn start(dir: &TempDir) -> Self {
        let python = python();
        let secrets = dir.path().join("receiver-secrets");
        std::fs::write(&secrets, "").unwrap();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/receivers/standard_webhooks_receiver.py"
        );
        let mut child = tokio::process::Command::new(&python)
            .arg(script)
            .arg("--secret-file")
            .arg(&secrets)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{VAR}={python} does not start: {e}"));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the Python receiver starts in time")
            .unwrap()
            .unwrap_or_else(|| {
                panic!("the Python receiver exited (is standardwebhooks installed for {python}?)")
            });
        let addr = first
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        let got = Arc::new(Mutex::new(Vec::new()));
        let keep = got.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let v: Value = serde_json::from_str(&line).expect("a JSON line");
                keep.lock().unwrap().push(v);
            }
        });
        Self {
            child,
            url: format!("http://{addr}/hooks"),
            secrets,
            got,
        }
    }

    /// Makes the receiver verify with these secrets only.
    pub fn know(&self, secrets: &[&str]) {
        std::fs::write(&self.secrets, secrets.join("\n")).unwrap();
    }

    pub fn received(&self) -> Vec<Value> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `done` holds (at most `within`).
    pub async fn wait_for(&self, within: Duration, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let what = "the expected requests at the Python receiver";
        eventually(within, what, || async { self.received() }, |got| done(got)).await
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Posts a request with a made-up signature; the receiver's status.
async fn post_forged(url: &str) -> u16 {
    reqwest::Client::new()
        .post(url)
        .header("webhook-id", "evt_forged")
        .header(
            "webhook-timestamp",
            time::OffsetDateTime::now_utc().unix_timestamp().to_string(),
        )
        .header(
            "webhook-signature",
            "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .body("{}")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn verified(got: &[Value], id: &str) -> usize {
    got.iter()
        .filter(|r| r["id"] == id && r["verified"] == true)
        .count()
}

/// `secret: whsec_…` (or `secret whsec_…`) in `text`.
pub fn shown_secret(text: &str) -> String {
    let at = text.find("whsec_").expect("a whsec_ secret shown");
    text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_owned()
}

async fn creator_ok(args: &[&str]) -> String {
    let mut cmd = creator();
    cmd.args(args);
    let out = run(cmd).await;
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[tokio::test]
#[cfg_attr(
    not(creator_sw_tests),
    ignore = "set CREATOR_TEST_STANDARDWEBHOOKS_PYTHON to a python with `pip install standardwebhooks` (.ci/run does)"
)]
async fn the_python_reference_verifier_accepts_every_forwarded_event_and_a_rotation() {
    let dir = TempDir::new("fwd-python");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let receiver = PyReceiver::start(&dir).await;

    // `--forward` adds the destination and shows its generated secret once.
    let relay = spawn_relay_with(
        db,
        &[("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)],
        &[
            "--forward",
            &receiver.url,
            "--forward-retry-schedule",
            "300ms,300ms,300ms,300ms",
        ],
    )
    .await;
    let banner = relay.banner.join("\n");
    let first_secret = shown_secret(&banner);
    receiver.know(&[&first_secret]);

    // A request it cannot verify is refused: the receiver can fail.
    assert_eq!(post_forged(&receiver.url).await, 401);

    let bodies = [
        sale(1),
        refund(1),
        fixture("gumroad/webhooks/dispute.form"),
        fixture("gumroad/webhooks/cancellation.form"),
        fixture("gumroad/webhooks/subscription_updated.form"),
    ];
    for body in bodies {
        post_sale(&relay.base, body).await;
    }
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| {
            (1..=5).all(|n| verified(got, &format!("evt_{n}")) >= 1)
        })
        .await;
    assert!(
        got.iter()
            .filter(|r| r["id"] != "evt_forged")
            .all(|r| r["verified"] == true && r["version"] == 1),
        "{got:#?}"
    );
    // The sale and its refund are about one subject, in the order stored.
    let order: Vec<&Value> = got.iter().map(|r| &r["event_id"]).collect();
    let pos = |n: i64| order.iter().position(|v| **v == n).unwrap();
    assert!(pos(1) < pos(2), "{order:?}");

    // Rotation: the new secret signs, the old one beside it until it expires.
    let name = creator_ok(&["destinations", "list", "--db", db, "--format", "jsonl"]).await;
    let name: Value = serde_json::from_str(name.lines().next().unwrap()).unwrap();
    let name = name["name"].as_str().unwrap().to_owned();
    let rotated = creator_ok(&["destinations", "rotate-secret", &name, "--db", db]).await;
    let second_secret = shown_secret(&rotated);
    assert_ne!(second_secret, first_secret);
    receiver.know(&[&second_secret]);
    creator_ok(&["events", "replay", "1", "--db", db]).await;
    receiver
        .wait_for(Duration::from_secs(20), |got| verified(got, "evt_1") >= 2)
        .await;
    receiver.know(&[&first_secret]);
    creator_ok(&["events", "replay", "2", "--db", db]).await;
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| verified(got, "evt_2") >= 2)
        .await;
    let last = got.iter().rev().find(|r| r["id"] == "evt_2").unwrap();
    assert_eq!(last["signatures"], 2, "{last}");

    // Once the old secret has expired, a receiver that knows only it refuses
    // the request; the relay retries, and it succeeds once the receiver has
    // the new secret.
    let third = creator_ok(&[
        "destinations",
        "rotate-secret",
        &name,
        "--keep-old",
        "0s",
        "--db",
        db,
    ])
    .await;
    let third_secret = shown_secret(&third);
    receiver.know(&[&second_secret]);
    creator_ok(&["events", "replay", "3", "--db", db]).await;
    receiver
        .wait_for(Duration::from_secs(20), |got| {
            got.iter()
                .any(|r| r["id"] == "evt_3" && r["verified"] == false)
        })
        .await;
    receiver.know(&[&third_secret]);
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| verified(got, "evt_3") >= 2)
        .await;
    let refused = got
        .iter()
        .find(|r| r["id"] == "evt_3" && r["verified"] == false)
        .unwrap();
    // The newest secret and the first one (its 24 h are still running); not
    // the second, which expired at once.
    assert_eq!(refused["signatures"], 2, "{refused}");

    assert!(sigterm_and_wait(relay).await.success());
    receiver.stop().await;
}

/// The Python receiver of `docs/receiving-events.md`, run as the guide shows
/// it, gets a forwarded sale and refuses a forged request.
#[tokio::test]
#[cfg_attr(
    not(creator_sw_tests),
    ignore = "set CREATOR_TEST_STANDARDWEBHOOKS_PYTHON to a python with `pip install standardwebhooks` (.ci/run does)"
)]
async fn the_guides_python_receiver_verifies_a_forwarded_sale() {
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/receiving-events.md"
    ))
    .unwrap();
    let start = guide.find("```python\n").expect("a python block") + "```python\n".len();
    let code = &guide[start..start + guide[start..].find("```").unwrap()];
    let dir = TempDir::new("fwd-guide-python");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let script = dir.path().join("receiver.py");
    std::fs::write(&script, code).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let url = format!("http://127.0.0.1:{port}/webhooks/creator");
    let mut receiver = tokio::process::Command::new(python())
        .arg(&script)
        .env("WEBHOOK_SECRET", secret)
        .env("PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(receiver.stdout.take().unwrap()).lines();
    let listening = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < listening,
            "the guide's receiver does not listen"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    creator_ok(&[
        "destinations",
        "add",
        "guide",
        &url,
        "--secret",
        secret,
        "--db",
        db,
    ])
    .await;
    let relay = spawn_relay_with(db, &[("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)], &[]).await;
    post_sale(&relay.base, sale(7)).await;
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the guide's receiver prints the sale")
        .unwrap()
        .unwrap();
    assert!(
        line.starts_with("evt_1: buyer") && line.contains("bought"),
        "{line}"
    );
    assert_eq!(post_forged(&url).await, 401);
    assert!(sigterm_and_wait(relay).await.success());
    let _ = receiver.kill().await;
}

/// CI (`CI=true`) must run the independent verifier: when `.ci/run` could
/// not install it, this fails instead of letting it show as ignored.
#[test]
fn ci_runs_the_independent_verifier() {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !in_ci || cfg!(creator_sw_tests),
        "CI=true but {VAR} was not set when the tests were built, so the Standard Webhooks reference verifier did not run: .ci/run installs it (see its `standardwebhooks:` lines)"
    );
}
