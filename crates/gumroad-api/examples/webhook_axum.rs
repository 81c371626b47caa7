//! A Gumroad webhook receiver with axum: verify, parse, answer 2xx at once,
//! and do the real work (dedup, read-back through the API, granting) off
//! the request path.
//!
//! ```sh
//! GUMROAD_HOOK_TOKEN=$(openssl rand -hex 16) \
//! GUMROAD_TOKEN=...            # optional: enables the read-back (confirm)
//! cargo run -p gumroad-api --example webhook_axum
//! ```
//!
//! Register `https://your.host/hooks/gumroad?token=$GUMROAD_HOOK_TOKEN` as the
//! Ping URL or with `gumroad_api::webhook::subscribe_all`. Try it locally:
//!
//! ```sh
//! curl -i "http://127.0.0.1:3000/hooks/gumroad?token=$GUMROAD_HOOK_TOKEN" \
//!   --data-binary @fixtures/gumroad/webhooks/sale.form
//! ```
//!
//! Why these status codes: Gumroad waits 5 s, treats any 2xx as delivered,
//! and retries (three times, after 1, 3 and 10 minutes) only on 499, 500,
//! 502, 503 and 504. So: 200 once the event is safely queued; 503 when the
//! queue is full (Gumroad will retry); 401 for a wrong token and 400 for a
//! body that does not parse (retrying would not help).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use creator_core::{WebhookDelivery, WebhookEvent, Webhooks};
use gumroad_api::GumroadClient;
use gumroad_api::webhook::GumroadWebhooks;
use tokio::sync::mpsc;

#[derive(Clone)]
struct App {
    hooks: Arc<GumroadWebhooks>,
    queue: mpsc::Sender<WebhookEvent>,
}

/// The request path: no network calls, no database, just checks and a queue push.
async fn receive(State(app): State<App>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let delivery = WebhookDelivery::new(uri, headers, body);
    match app.hooks.receive(&delivery) {
        Ok(event) => match app.queue.try_send(event) {
            Ok(()) => StatusCode::OK,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        },
        Err(e) if e.is_verification_failure() => {
            eprintln!("rejected delivery: {e}");
            StatusCode::UNAUTHORIZED
        }
        Err(e) => {
            eprintln!("unparseable delivery ({} bytes): {e}", delivery.body.len());
            StatusCode::BAD_REQUEST
        }
    }
}

/// The slow part, off the request path.
async fn work(
    hooks: Arc<GumroadWebhooks>,
    can_confirm: bool,
    mut queue: mpsc::Receiver<WebhookEvent>,
) {
    // A real receiver keeps this in a durable store (the `creator` relay uses SQLite).
    let mut seen = HashSet::new();
    while let Some(event) = queue.recv().await {
        if !seen.insert(event.identity()) {
            println!(
                "duplicate {} (retry {}), skipped",
                event.identity(),
                retry_count(&event)
            );
            continue;
        }
        // Gumroad does not sign deliveries: read the subject back before granting anything.
        let event = if can_confirm {
            match hooks.confirm(&event).await {
                Ok(fresh) => fresh,
                Err(e) => {
                    eprintln!("could not confirm {}: {e}", event.identity());
                    seen.remove(&event.identity());
                    continue;
                }
            }
        } else {
            event
        };
        println!(
            "{} {:?} test={} amount={:?} subscriber={:?}",
            event.identity(),
            event.kind,
            event.test,
            event
                .sale
                .as_ref()
                .and_then(|s| s.amount)
                .map(|m| m.to_decimal_string()),
            event.subscriber.as_ref().map(|s| &s.status),
        );
    }
}

fn retry_count(event: &WebhookEvent) -> u32 {
    event
        .provider_data()
        .downcast_ref::<gumroad_api::webhook::GumroadEvent>()
        .map_or(0, |e| e.retry_count())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("GUMROAD_HOOK_TOKEN")
        .map_err(|_| "set GUMROAD_HOOK_TOKEN to a long random string")?;
    let mut hooks = GumroadWebhooks::builder().url_token(token);
    let can_confirm = match std::env::var("GUMROAD_TOKEN") {
        Ok(api_token) if !api_token.is_empty() => {
            hooks = hooks.client(GumroadClient::builder(api_token).build()?);
            true
        }
        _ => false,
    };
    let hooks = Arc::new(hooks.build()?);
    let (queue, jobs) = mpsc::channel(1024);
    tokio::spawn(work(hooks.clone(), can_confirm, jobs));

    let app = Router::new()
        .route("/hooks/gumroad", post(receive))
        .route("/hooks/gumroad/{token}", post(receive))
        .with_state(App { hooks, queue });
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    println!("listening on http://{addr}/hooks/gumroad (confirm through the API: {can_confirm})");
    axum::serve(tokio::net::TcpListener::bind(addr).await?, app).await?;
    Ok(())
}
