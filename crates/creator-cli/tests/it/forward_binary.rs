//! The forwarding commands as an operator meets them: the real `creator`
//! binary (`relay --forward`, `destinations`, `deliveries`, `events replay`,
//! `events --follow`) against receivers on 127.0.0.1 (`receiver.rs`).

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::forward::{refund, sale};
use crate::forward_python::shown_secret;
use crate::receiver::{Receiver, Reply};
use crate::support::*;

async fn creator_out(args: &[&str]) -> std::process::Output {
    let mut cmd = creator();
    cmd.args(args);
    run(cmd).await
}

async fn creator_ok(args: &[&str]) -> String {
    let out = creator_out(args).await;
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

async fn creator_jsonl(args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(["--format", "jsonl"]);
    let out = creator_out(&all).await;
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    jsonl(&out)
}

/// POSTs a Gumroad Ping to the relay at `base`; asserts it was taken.
pub async fn post_sale(base: &str, body: Vec<u8>) {
    let status = reqwest::Client::new()
        .post(format!("{base}/webhooks/gumroad/{GUMROAD_SECRET}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

/// Runs `creator deliveries …` until `done` holds for its rows.
async fn wait_deliveries(db: &str, extra: &[&str], done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let mut args = vec!["deliveries", "--db", db];
    args.extend(extra);
    let probe = || creator_jsonl(&args);
    eventually(
        Duration::from_secs(20),
        "deliveries settling",
        probe,
        |rows| done(rows),
    )
    .await
}

#[tokio::test]
async fn destinations_deliveries_and_replay_from_the_command_line() {
    let dir = TempDir::new("fwd-commands");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let app = Receiver::ok().await;
    let broken = Receiver::start(Arc::new(|_| Reply::Status(500))).await;

    // `add` without --secret generates one and shows it once; `list` never shows it.
    let added = creator_ok(&["destinations", "add", "app", &app.url(), "--db", db]).await;
    let app_secret = shown_secret(&added);
    assert!(added.contains("shown only this once"), "{added}");
    let given = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let added = creator_ok(&[
        "destinations",
        "add",
        "refunds",
        &broken.url(),
        "--kind",
        "refund",
        "--secret",
        given,
        "--db",
        db,
    ])
    .await;
    assert!(
        !added.contains("whsec_"),
        "a given secret is not echoed: {added}"
    );
    let listed = creator_out(&["destinations", "list", "--db", db]).await;
    let table = stdout(&listed);
    assert!(
        table.contains("app") && table.contains("refunds"),
        "{table}"
    );
    assert!(
        !table.contains(&app_secret) && !table.contains(given),
        "{table}"
    );
    // Bad input: one clear line each.
    let taken = creator_out(&["destinations", "add", "app", &app.url(), "--db", db]).await;
    assert_one_line_error(&taken, 2, "there is a destination named app already");
    let bad = creator_out(&["destinations", "add", "has space", &app.url(), "--db", db]).await;
    assert_one_line_error(&bad, 2, "is not usable");
    let bad = creator_out(&["destinations", "add", "x", "ftp://app.example/", "--db", db]).await;
    assert_one_line_error(&bad, 2, "is not an http:// or https:// URL");
    let bad = creator_out(&[
        "destinations",
        "add",
        "y",
        &app.url(),
        "--secret",
        "nope",
        "--db",
        db,
    ])
    .await;
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    let unknown = creator_out(&["destinations", "enable", "nobody", "--db", db]).await;
    assert_one_line_error(&unknown, 2, "no destination named \"nobody\"");

    let relay = spawn_relay_with(
        db,
        &[("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)],
        &["--forward-retry-schedule", "100ms,100ms"],
    )
    .await;
    post_sale(&relay.base, sale(1)).await;
    post_sale(&relay.base, refund(1)).await;
    let got = app
        .wait_for(Duration::from_secs(20), |got| got.len() >= 2)
        .await;
    for r in &got {
        r.verify(&app_secret).expect("signed with the shown secret");
    }
    assert_eq!(got[0].id(), "evt_1");
    assert_eq!(got[1].id(), "evt_2");

    // `deliveries`: the app got both, the broken one's refund is dead after 3 attempts.
    let rows = wait_deliveries(db, &["--status", "dead"], |rows| rows.len() == 1).await;
    assert_eq!(rows[0]["destination"], "refunds");
    assert_eq!(rows[0]["kind"], "refund");
    assert_eq!(rows[0]["attempts"], 3);
    assert_eq!(rows[0]["last_status"], 500);
    let delivered = creator_jsonl(&[
        "deliveries",
        "--db",
        db,
        "--destination",
        "app",
        "--status",
        "delivered",
    ])
    .await;
    assert_eq!(delivered.len(), 2, "{delivered:#?}");
    assert!(
        delivered
            .iter()
            .all(|r| r["last_status"] == 200 && r["last_latency_ms"].is_i64())
    );
    let attempts = creator_jsonl(&[
        "deliveries",
        "--attempts",
        "--destination",
        "refunds",
        "--db",
        db,
    ])
    .await;
    assert_eq!(attempts.len(), 3, "{attempts:#?}");
    assert!(
        attempts
            .iter()
            .all(|a| a["status_code"] == 500 && a["latency_ms"].is_i64())
    );
    assert!(
        attempts[0]["next_attempt_at"].is_string(),
        "{:#?}",
        attempts[0]
    );
    assert!(
        attempts[2]["next_attempt_at"].is_null(),
        "the last one schedules none"
    );
    let table = creator_ok(&["deliveries", "--attempts", "--db", db]).await;
    assert!(
        table.contains("status_code") && table.contains("next_attempt_at"),
        "{table}"
    );
    let bad = creator_out(&["deliveries", "--status", "lost", "--db", db]).await;
    assert_eq!(bad.status.code(), Some(2));

    // `events replay`: by id to one destination, and --since to every matching one.
    let out = creator_ok(&["events", "replay", "1", "--destination", "app", "--db", db]).await;
    assert!(out.contains("queued 1 message"), "{out}");
    app.wait_for(Duration::from_secs(20), |got| got.len() >= 3)
        .await;
    let out = creator_ok(&["events", "replay", "--since", "24h", "--db", db]).await;
    assert!(
        out.contains("queued 3 message"),
        "two to app, the refund to refunds: {out}"
    );
    let got = app
        .wait_for(Duration::from_secs(20), |got| got.len() >= 5)
        .await;
    assert_eq!(got[3].id(), "evt_1");
    assert_eq!(got[4].id(), "evt_2");
    let none = creator_out(&["events", "replay", "999", "--db", db]).await;
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains("nothing queued for event(s) 999"),
        "{}",
        stderr(&none)
    );
    let none = creator_out(&[
        "events",
        "replay",
        "1",
        "--destination",
        "nobody",
        "--db",
        db,
    ])
    .await;
    assert_one_line_error(&none, 2, "no destination named \"nobody\"");

    // disable: nothing new is queued for it; enable: it is again.
    creator_ok(&["destinations", "disable", "app", "--db", db]).await;
    let listed = creator_jsonl(&["destinations", "list", "--db", db]).await;
    let row = listed.iter().find(|d| d["name"] == "app").unwrap();
    assert_eq!(row["enabled"], false);
    assert_eq!(row["disabled_reason"], "disabled by hand");
    post_sale(&relay.base, sale(2)).await;
    creator_ok(&["destinations", "enable", "app", "--db", db]).await;
    post_sale(&relay.base, sale(3)).await;
    let got = app
        .wait_for(Duration::from_secs(20), |got| got.len() >= 6)
        .await;
    assert_eq!(got[5].id(), "evt_4", "event 3 came while app was disabled");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.received().len(), 6);

    // remove: the destination goes, its messages stay (dead letters, listed).
    creator_ok(&["destinations", "remove", "refunds", "--db", db]).await;
    let listed = creator_jsonl(&["destinations", "list", "--db", db]).await;
    assert_eq!(listed.len(), 1, "{listed:#?}");
    let dead = creator_jsonl(&["deliveries", "--status", "dead", "--db", db]).await;
    assert_eq!(
        dead.len(),
        2,
        "the refund, twice (first time and replay): {dead:#?}"
    );

    assert!(sigterm_and_wait(relay).await.success());
    app.stop();
    broken.stop();
}

#[tokio::test]
async fn events_follow_prints_json_lines_in_commit_order_and_resumes_after_an_id() {
    let dir = TempDir::new("fwd-follow");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let relay = spawn_relay_with(db, &[("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)], &[]).await;
    post_sale(&relay.base, sale(1)).await;
    post_sale(&relay.base, sale(2)).await;

    let follow = |after: Option<&str>| {
        let mut cmd = tokio::process::Command::from(creator());
        cmd.args(["events", "--follow", "--db", db]);
        if let Some(a) = after {
            cmd.args(["--after", a]);
        }
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        cmd.spawn().expect("spawn creator events --follow")
    };
    async fn next(lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("a line in time")
            .unwrap()
            .expect("a line");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    // From the start (--after 0): the stored ones, then new ones as they come.
    let mut all = follow(Some("0"));
    let mut lines = BufReader::new(all.stdout.take().unwrap()).lines();
    let a = next(&mut lines).await;
    let b = next(&mut lines).await;
    assert_eq!(
        (
            a["data"]["event_id"].as_i64(),
            b["data"]["event_id"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(a["version"], 1);
    assert_eq!(a["type"], "sale");
    assert_eq!(a["id"], "evt_1");
    // Without --after: only what is stored from now on.
    let mut new_only = follow(None);
    let mut new_lines = BufReader::new(new_only.stdout.take().unwrap()).lines();
    tokio::time::sleep(Duration::from_millis(800)).await;
    post_sale(&relay.base, sale(3)).await;
    assert_eq!(next(&mut lines).await["data"]["event_id"], 3);
    assert_eq!(next(&mut new_lines).await["data"]["event_id"], 3);
    // Resuming after the last handled id gives the rest, nothing twice.
    let mut resumed = follow(Some("2"));
    let mut resumed_lines = BufReader::new(resumed.stdout.take().unwrap()).lines();
    assert_eq!(next(&mut resumed_lines).await["data"]["event_id"], 3);
    let _ = all.kill().await;
    let _ = new_only.kill().await;
    let _ = resumed.kill().await;
    let bad = creator_out(&["events", "--after", "2", "--db", db]).await;
    assert_eq!(bad.status.code(), Some(2), "--after needs --follow");
    assert!(sigterm_and_wait(relay).await.success());
}

#[tokio::test]
async fn relay_forward_adds_destinations_once_and_shows_each_secret_once() {
    let dir = TempDir::new("fwd-shortcut");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let one = Receiver::ok().await;
    let two = Receiver::ok().await;
    let two_url = two.url();
    let envs = [
        ("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET),
        ("CREATOR_FORWARD", two_url.as_str()),
    ];
    let relay = spawn_relay_with(db, &envs, &["--forward", &one.url()]).await;
    let forward_lines: Vec<&String> = relay
        .banner
        .iter()
        .filter(|l| l.contains("forward:"))
        .collect();
    assert_eq!(
        forward_lines.len(),
        1,
        "--forward wins over CREATOR_FORWARD: {:#?}",
        relay.banner
    );
    let secret = shown_secret(forward_lines[0]);
    post_sale(&relay.base, sale(1)).await;
    let got = one
        .wait_for(Duration::from_secs(20), |got| !got.is_empty())
        .await;
    got[0].verify(&secret).unwrap();
    assert!(sigterm_and_wait(relay).await.success());

    // Started again with the same URL: the destination is reused, no new secret.
    let again = spawn_relay_with(db, &envs, &["--forward", &one.url()]).await;
    let banner = again.banner.join("\n");
    assert!(
        banner.contains("forward:") && !banner.contains("whsec_"),
        "{banner}"
    );
    assert!(sigterm_and_wait(again).await.success());

    // CREATOR_FORWARD alone (comma-separated) adds its own.
    let only_env = spawn_relay_with(db, &envs, &[]).await;
    let banner = only_env.banner.join("\n");
    assert_eq!(banner.matches("whsec_").count(), 1, "{banner}");
    assert!(sigterm_and_wait(only_env).await.success());
    let listed = creator_jsonl(&["destinations", "list", "--db", db]).await;
    assert_eq!(listed.len(), 2, "{listed:#?}");

    // --forward is repeatable: each URL is one destination, each event goes to all.
    let three = Receiver::ok().await;
    let four = Receiver::ok().await;
    let (three_url, four_url) = (three.url(), four.url());
    let both = ["--forward", &three_url, "--forward", &four_url];
    let relay = spawn_relay_with(db, &envs, &both).await;
    let banner = relay.banner.join("\n");
    assert_eq!(banner.matches("whsec_").count(), 2, "{banner}");
    post_sale(&relay.base, sale(2)).await;
    for receiver in [&one, &two, &three, &four] {
        let got = receiver
            .wait_for(Duration::from_secs(20), |got| {
                got.iter().any(|r| r.id() == "evt_2")
            })
            .await;
        assert_eq!(got.iter().filter(|r| r.id() == "evt_2").count(), 1);
    }
    assert!(sigterm_and_wait(relay).await.success());
    for receiver in [one, two, three, four] {
        receiver.stop();
    }
}
