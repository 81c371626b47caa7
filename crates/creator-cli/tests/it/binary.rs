//! The `creator` binary end to end: the README flow (relay, a curl-style
//! Ping, `creator events`), signals, and one-line errors.

use creator_cli::ledger;

use crate::support::*;

#[tokio::test]
async fn readme_flow_relay_then_a_gumroad_ping_then_creator_events() {
    let dir = TempDir::new("readme");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let relay = spawn_relay(db, &[("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)]).await;
    assert!(
        relay
            .banner
            .iter()
            .any(|l| l.contains("/webhooks/gumroad/<CREATOR_GUMROAD_SECRET>")),
        "{:?}",
        relay.banner
    );
    assert!(
        !relay.banner.join("\n").contains(GUMROAD_SECRET),
        "a secret given by the user is not printed"
    );
    // What `curl -d @sale.form` sends.
    let resp = reqwest::Client::new()
        .post(format!("{}/webhooks/gumroad/{GUMROAD_SECRET}", relay.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(fixture("gumroad/webhooks/sale.form"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let status = sigterm_and_wait(relay).await;
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");

    let mut cmd = creator();
    cmd.args(["events", "--db", db]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<_> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("id ") && lines[0].contains("provider"),
        "{table}"
    );
    assert!(lines[2].contains("gumroad") && lines[2].contains("FO8TXN-dvxYabdavG97Y-Q=="));

    let mut cmd = creator();
    cmd.args(["events", "--db", db, "--format", "json", "--with-body"]);
    let out = run(cmd).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let key = v[0]["dedup_key"].as_str().unwrap();
    assert!(
        key.starts_with("gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==:"),
        "{key}"
    );
    assert_eq!(
        v[0]["raw_body"].as_str().unwrap().as_bytes(),
        &fixture("gumroad/webhooks/sale.form")[..]
    );

    let mut cmd = creator();
    cmd.args(["events", "--db", db, "--format", "csv", "--kind", "refund"]);
    let out = run(cmd).await;
    assert_eq!(
        stdout(&out).lines().count(),
        1,
        "header only: {}",
        stdout(&out)
    );
}

#[tokio::test]
async fn relay_generates_a_gumroad_secret_once_and_keeps_it_in_the_ledger() {
    let dir = TempDir::new("gensecret");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let secret_of = |banner: &[String]| -> String {
        banner
            .iter()
            .find_map(|l| l.split("/webhooks/gumroad/").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .expect("gumroad url in banner")
            .to_owned()
    };
    let relay = spawn_relay(db, &[]).await;
    let first = secret_of(&relay.banner);
    assert_eq!(first.len(), 32, "{first}");
    let ok = reqwest::Client::new()
        .post(format!("{}/webhooks/gumroad/{first}", relay.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(fixture("gumroad/webhooks/sale.form"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert!(banner_mentions(&relay.banner, "shown only this once"));
    assert!(sigterm_and_wait(relay).await.success());
    // Later starts do not print it again...
    let relay = spawn_relay(db, &[]).await;
    let shown = relay.banner.join("\n");
    assert!(!shown.contains(&first), "{shown}");
    assert!(shown.contains("<secret kept in the ledger>"), "{shown}");
    assert!(sigterm_and_wait(relay).await.success());
    // ... unless asked, and it is the same one.
    let relay = spawn_relay_with(db, &[], &["--show-secret"]).await;
    assert_eq!(
        secret_of(&relay.banner),
        first,
        "same secret after a restart"
    );
    assert!(sigterm_and_wait(relay).await.success());
}

fn banner_mentions(banner: &[String], needle: &str) -> bool {
    banner.iter().any(|l| l.contains(needle))
}

#[tokio::test]
async fn relay_refuses_a_short_secret_and_a_half_configured_gank() {
    let dir = TempDir::new("badopts");
    let db = dir.db();
    let mut cmd = relay_command(db.to_str().unwrap(), &[]);
    cmd.env("CREATOR_GUMROAD_SECRET", "short");
    assert_one_line_error(&run(cmd).await, 2, "too short");
    let mut cmd = relay_command(db.to_str().unwrap(), &[]);
    cmd.env("GANK_WEBHOOK_KEY", "k");
    assert_one_line_error(&run(cmd).await, 2, "GANK_SIGNATURE_HEADER");
}

#[tokio::test]
async fn relay_with_gank_configured_from_the_environment_verifies_its_hmac() {
    let dir = TempDir::new("gankenv");
    let db = dir.db();
    let relay = spawn_relay(
        db.to_str().unwrap(),
        &[
            ("GANK_WEBHOOK_KEY", GANK_KEY),
            ("GANK_SIGNATURE_HEADER", GANK_HEADER),
        ],
    )
    .await;
    // Signed with the key and header the relay reads from the same environment.
    let to = format!("{}/webhooks/gank", relay.base);
    let simulate = |extra: &[&str]| {
        let mut cmd = creator();
        cmd.args([
            "simulate",
            "--provider",
            "gank",
            "--event",
            "digital_goods",
            "--to",
            &to,
        ])
        .args(extra);
        cmd
    };
    let mut signed = simulate(&[]);
    signed.envs([
        ("GANK_WEBHOOK_KEY", GANK_KEY),
        ("GANK_SIGNATURE_HEADER", GANK_HEADER),
    ]);
    let out = run(signed).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(": 200 OK"), "{}", stdout(&out));
    let out = run(simulate(&[
        "--key",
        "not-the-registration-key",
        "--signature-header",
        GANK_HEADER,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(": 401 Unauthorized"),
        "{}",
        stdout(&out)
    );
    assert!(sigterm_and_wait(relay).await.success());

    let mut cmd = creator();
    cmd.args([
        "quarantine",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    let out = run(cmd).await;
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["reason"], "verification");
    assert_eq!(rows[0]["endpoint"], "gank");
}

#[tokio::test]
async fn reading_a_ledger_that_does_not_exist_is_one_clear_line() {
    let dir = TempDir::new("noledger");
    let missing = dir.path().join("nope.db");
    let mut cmd = creator();
    cmd.args(["events", "--db", missing.to_str().unwrap()]);
    assert_one_line_error(&run(cmd).await, 2, "no ledger at");
    assert!(!missing.exists(), "reading does not create a ledger");
    let mut cmd = creator();
    cmd.args([
        "events",
        "--db",
        missing.to_str().unwrap(),
        "--since",
        "yesterday",
    ]);
    assert_one_line_error(&run(cmd).await, 2, "--since `yesterday`");
}

#[tokio::test]
async fn missing_credentials_name_the_variable_to_set() {
    for (args, var) in [
        (
            vec!["sales", "--provider", "gumroad"],
            "GUMROAD_ACCESS_TOKEN",
        ),
        (
            vec!["subscribers", "--provider", "gank"],
            "GANK_CREATOR_TOKEN",
        ),
        (vec!["sales", "--provider", "gank"], "GANK_LOGIN_TOKEN"),
        (vec!["products", "--provider", "maton"], "MATON_API_KEY"),
    ] {
        let mut cmd = creator();
        cmd.args(&args);
        let out = run(cmd).await;
        assert_one_line_error(&out, 2, &format!("{var} is not set"));
    }
}

#[cfg(not(feature = "postgres"))]
#[tokio::test]
async fn a_postgres_url_without_the_feature_says_how_to_get_it() {
    let mut cmd = creator();
    cmd.args(["events", "--db", "postgres://localhost/creator"]);
    assert_one_line_error(&run(cmd).await, 1, "--features postgres");
}

#[tokio::test]
async fn events_filters_by_provider_kind_since_and_limit() {
    let dir = TempDir::new("filters");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let relay = TestRelay::start(db).await;
    for rel in ["sale.form", "refund.form", "cancellation.form"] {
        let (status, _) = relay
            .post_gumroad_form(fixture(&format!("gumroad/webhooks/{rel}")))
            .await;
        assert_eq!(status, 200, "{rel}");
    }
    relay.stop().await;
    let count = |args: &[&str]| {
        let mut cmd = creator();
        cmd.args(["events", "--db", db, "--format", "jsonl"])
            .args(args);
        cmd
    };
    for (args, expected) in [
        (vec![], 3),
        (vec!["--provider", "gumroad"], 3),
        (vec!["--provider", "gank"], 0),
        (vec!["--kind", "refund"], 1),
        (vec!["--kind", "subscription_cancelled"], 1),
        (vec!["--kind", "cancellation"], 1),
        (vec!["--since", "1h"], 3),
        (vec!["--since", "2099-01-01"], 0),
        (vec!["--limit", "2"], 2),
    ] {
        let out = run(count(&args)).await;
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out).lines().count(), expected, "{args:?}");
    }
}

/// `creator events --format csv` writes what a webhook sender chose (event
/// name, subject id) so that a spreadsheet shows it as text.
#[tokio::test]
async fn events_csv_neutralises_formula_cells_from_a_delivery() {
    let dir = TempDir::new("csvformula");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let relay = TestRelay::start(db).await;
    // An unknown Gumroad resource, as `unknown_resource.form`, whose name and
    // id are formulas.
    let body = String::from_utf8(fixture("gumroad/webhooks/unknown_resource.form"))
        .unwrap()
        .replace("resource_name=payout_sent", "resource_name=-2%2B3")
        + "&id=%3DHYPERLINK(%22https%3A%2F%2Fevil.example%2F%22%2C%22x%22)";
    let (status, answer) = relay.post_gumroad_form(body.into_bytes()).await;
    assert_eq!(status, 200, "{answer}");
    relay.stop().await;
    let mut cmd = creator();
    cmd.args(["events", "--db", db, "--format", "csv"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[1].contains(r#",'-2+3,"'=HYPERLINK(""https://evil.example/"",""x"")","#),
        "{csv}"
    );
}

/// A ledger that opens but whose first read fails (here: its table is gone)
/// leaves stdout empty, with the error as the one line on stderr; an empty
/// ledger prints the header in table and CSV.
#[tokio::test]
async fn events_and_quarantine_print_no_header_before_a_failed_read_but_do_for_an_empty_ledger() {
    let dir = TempDir::new("headers");
    let db = dir.db();
    let db = db.to_str().unwrap();
    ledger::open(db).await.unwrap().close().await;
    let list = |command: &str, format: &str| {
        let mut cmd = creator();
        cmd.args([command, "--db", db, "--format", format]);
        run(cmd)
    };
    for command in ["events", "quarantine"] {
        let table = list(command, "table").await;
        assert!(table.status.success(), "{}", stderr(&table));
        assert_eq!(stdout(&table).lines().count(), 2, "{}", stdout(&table));
        assert!(stdout(&table).starts_with("id "), "{}", stdout(&table));
        let csv = list(command, "csv").await;
        assert!(csv.status.success(), "{}", stderr(&csv));
        assert_eq!(stdout(&csv).lines().count(), 1, "{}", stdout(&csv));
        assert!(
            stdout(&csv).starts_with("id,received_at,"),
            "{}",
            stdout(&csv)
        );
    }
    let sqlite = rusqlite::Connection::open(db).unwrap();
    sqlite
        .execute_batch("DROP TABLE events; DROP TABLE quarantine;")
        .unwrap();
    drop(sqlite);
    for command in ["events", "quarantine"] {
        for format in ["table", "csv", "json", "jsonl"] {
            let out = list(command, format).await;
            assert_eq!(stdout(&out), "", "{command} {format}");
            assert_one_line_error(&out, 1, "no such table");
        }
    }
}

/// `--provider` and `--reason` take only the values the ledger can hold:
/// `--help` lists them, a typo is a usage error (exit 2) naming them, and a
/// valid one filters.
#[tokio::test]
async fn provider_and_reason_are_value_lists() {
    let dir = TempDir::new("valueenums");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let relay = TestRelay::start(db).await;
    let (denied, _) = relay.post_wrong_gumroad_secret().await;
    let mut big = fixture("gumroad/webhooks/sale.form");
    big.resize(MAX_BODY + 1, b'x');
    let (too_large, _) = relay.post_gumroad_form(big).await;
    assert_eq!((denied, too_large), (401, 413));
    relay.stop().await;

    for (command, option, typo, values) in [
        ("events", "--provider", "gumrod", "gumroad, gank"),
        (
            "quarantine",
            "--reason",
            "too-large",
            "verification, parse, too_large, unknown_endpoint, not_configured, incomplete",
        ),
    ] {
        let mut cmd = creator();
        cmd.args([command, "--db", db, option, typo]);
        let out = run(cmd).await;
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("[possible values: {values}]")),
            "{}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty());
        let mut cmd = creator();
        cmd.args([command, "-h"]);
        let help = stdout(&run(cmd).await);
        assert!(
            help.contains(&format!("[possible values: {values}]")),
            "{help}"
        );
    }
    let mut cmd = creator();
    cmd.args([
        "quarantine",
        "--db",
        db,
        "--reason",
        "too_large",
        "--format",
        "jsonl",
    ]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 1, "{}", stdout(&out));
    assert_eq!(rows[0]["reason"], "too_large");
}

/// `creator <command> --help` with the URL and ledger variables set to URLs
/// that carry a password (as a proxy URL can) does not print the password.
#[tokio::test]
async fn help_does_not_show_passwords_from_the_environment() {
    const PASSWORD: &str = "pa55word";
    for command in [
        &["products"][..],
        &["sales"],
        &["subscribers"],
        &["sync"],
        &["license", "verify"],
        &["events"],
        &["quarantine"],
        &["relay"],
    ] {
        for help in ["--help", "-h"] {
            let mut cmd = creator();
            cmd.args(command).arg(help);
            for var in [
                "GUMROAD_API_URL",
                "GANK_V1_URL",
                "GANK_V2_URL",
                "MATON_API_URL",
            ] {
                cmd.env(var, format!("http://u:{PASSWORD}@proxy"));
            }
            cmd.env("CREATOR_DB", format!("postgres://u:{PASSWORD}@db/creator"))
                .env("GUMROAD_ACCESS_TOKEN", PASSWORD)
                .env("CREATOR_GUMROAD_SECRET", PASSWORD);
            let out = run(cmd).await;
            assert!(out.status.success(), "{command:?}: {}", stderr(&out));
            let text = stdout(&out);
            assert!(text.contains("Usage: creator"), "{command:?}: {text}");
            assert!(!text.contains(PASSWORD), "{command:?} {help}: {text}");
        }
    }
}
