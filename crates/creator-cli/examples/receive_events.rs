//! Receiving the events `creator relay` forwards, in an axum application:
//! verify the Standard Webhooks signature over the raw body, skip what was
//! handled already (the `webhook-id` is the same on every retry), answer
//! 2xx quickly. See `docs/receiving-events.md`.
//!
//! ```sh
//! WEBHOOK_SECRET=whsec_… cargo run -p creator-cli --example receive_events
//! creator destinations add my-app http://127.0.0.1:3000/webhooks/creator --secret "$WEBHOOK_SECRET"
//! ```

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use standardwebhooks::Webhook;

struct App {
    webhook: Webhook,
    // Use your database in production: a unique index on the webhook-id.
    seen: Mutex<HashSet<String>>,
}

async fn receive(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    // Verify over the exact bytes received, before parsing anything.
    if app.webhook.verify(&body, &headers).is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let id = event["id"].as_str().unwrap_or_default().to_owned();
    if !app.seen.lock().unwrap().insert(id.clone()) {
        return StatusCode::NO_CONTENT; // a retry of something handled already
    }
    let data = &event["data"];
    match event["type"].as_str() {
        Some("sale") => println!(
            "{id}: {} bought {} for {} {} (minor units)",
            data["customer"]["email"],
            data["product"]["name"],
            data["amount"]["minor_units"],
            data["amount"]["currency"],
        ),
        Some("refund") => println!("{id}: sale {} refunded", data["subject_id"]),
        Some(other) => println!("{id}: {other} about {}", data["subject_id"]),
        None => return StatusCode::BAD_REQUEST,
    }
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("WEBHOOK_SECRET").map_err(|_| "set WEBHOOK_SECRET=whsec_…")?;
    let app = Arc::new(App {
        webhook: Webhook::new(&secret)?,
        seen: Mutex::default(),
    });
    let router = Router::new()
        .route("/webhooks/creator", post(receive))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!(
        "listening on http://{}/webhooks/creator",
        listener.local_addr()?
    );
    axum::serve(listener, router).await?;
    Ok(())
}
