//! `creator relay --config FILE` and `--check-config`: the shipped example
//! passes, each kind of mistake is named with its line, no secret is ever
//! printed, and a flag overrides the file.

use std::path::PathBuf;

use crate::support::*;

/// Secrets as the tests' environment holds them (never in a file's text).
const GUMROAD: &str = "gumroad-url-s3cret-0123456789";
const GANK: &str = "gank-registration-k3y-0123456789";
const TOKEN: &str = "read-t0ken-0123456789abcdef";
const APP: &str = "whsec_YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh";
const ACCOUNTING: &str = "whsec_YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJi";

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/deploy/creator-relay.toml")
}

/// The example's environment (`relay.env.example` names the same variables).
fn secrets_env() -> [(&'static str, &'static str); 5] {
    [
        ("GUMROAD_URL_SECRET", GUMROAD),
        ("GANK_REGISTRATION_KEY", GANK),
        ("CREATOR_API_TOKEN", TOKEN),
        ("APP_WEBHOOK_SECRET", APP),
        ("ACCOUNTING_WEBHOOK_SECRET", ACCOUNTING),
    ]
}

fn check(config: &std::path::Path, db: &std::path::Path) -> std::process::Command {
    let mut cmd = creator();
    cmd.arg("relay")
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db)
        .arg("--check-config")
        .envs(secrets_env());
    cmd
}

fn assert_no_secret(out: &std::process::Output) {
    let all = format!("{}{}", stdout(out), stderr(out));
    for secret in [
        GUMROAD,
        GANK,
        TOKEN,
        APP,
        ACCOUNTING,
        "s3cret-in-a-file-0123",
    ] {
        assert!(!all.contains(secret), "{secret} shown in: {all}");
    }
}

#[tokio::test]
async fn the_shipped_example_config_passes_check_config_without_showing_a_secret() {
    let dir = TempDir::new("example-config");
    let out = run(check(&example(), &dir.db())).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    for line in [
        "ok       config file",
        "ok       listen: 127.0.0.1:8787",
        "ok       trusted proxies: 127.0.0.1, ::1",
        "ok       gank: /webhooks/gank (",
        "ok       destination app: https://app.example.com/webhooks/creator",
        "ok       destination refunds-to-accounting: ",
        "does not exist yet; it is created on first start",
        "the relay configuration is good",
    ] {
        assert!(text.contains(line), "`{line}` not in:\n{text}");
    }
    assert!(!text.contains("problem"), "{text}");
    assert_no_secret(&out);
    assert!(!dir.db().exists(), "--check-config creates no ledger");
}

/// Writes `text` as a config file (with a secret file beside it) and checks it.
async fn check_text(label: &str, text: &str) -> std::process::Output {
    let dir = TempDir::new(label);
    let path = dir.path().join("relay.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::write(dir.path().join("gumroad.secret"), "s3cret-in-a-file-0123\n").unwrap();
    std::fs::write(dir.path().join("short.secret"), "s3cret\n").unwrap();
    run(check(&path, &dir.db())).await
}

#[tokio::test]
async fn each_kind_of_mistake_is_named_with_its_place_and_no_secret() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "syntax",
            "listen = \"127.0.0.1:8787\"\nmax-connections = = 3\n",
            "relay.toml:2:19: not valid TOML",
        ),
        (
            "unknown",
            "listen = \"127.0.0.1:8787\"\n\nmax_connections = 3\n",
            "relay.toml:3:1: unknown key `max_connections`: the keys are the flags' names, here `max-connections`",
        ),
        (
            "unknown-any",
            "colour = \"blue\"\n",
            "relay.toml:1:1: unknown key `colour`",
        ),
        (
            "inline-secret",
            "gumroad-secret = \"gumroad-url-s3cret-0123456789\"\n",
            "relay.toml:1:18: `gumroad-secret` is a secret: give it as `gumroad-secret = { env = \"NAME\" }`",
        ),
        (
            "unset-env",
            "gank-key = { env = \"NO_SUCH_VARIABLE_FOR_CREATOR\" }\n",
            "relay.toml:1:20: `gank-key` reads the environment variable NO_SUCH_VARIABLE_FOR_CREATOR, which is not set",
        ),
        (
            "missing-file",
            "read-token = { file = \"nope.secret\" }\n",
            "`read-token` reads ",
        ),
        (
            "bad-number",
            "quiet = true\nmax-connections = \"many\"\n",
            "relay.toml:2:19: `max-connections`: invalid value 'many'",
        ),
        (
            "bad-enum",
            "gumroad-auth = \"password\"\n",
            "relay.toml:1:16: `gumroad-auth`: invalid value 'password'",
        ),
        (
            "bad-flag-type",
            "quiet = \"yes\"\n",
            "relay.toml:1:9: `quiet` is on or off",
        ),
        (
            "bad-proxy",
            "trusted-proxy = [\"127.0.0.1\", \"proxy.local\"]\n",
            "relay.toml:1:17: `trusted-proxy`: invalid value 'proxy.local'",
        ),
        (
            "destination-key",
            "[[destination]]\nname = \"app\"\nurl = \"https://app.example.com/h\"\nsecrett = { env = \"APP_WEBHOOK_SECRET\" }\n",
            "relay.toml:4:1: unknown destination key `secrett`",
        ),
        (
            "destination-inline",
            "[[destination]]\nname = \"app\"\nurl = \"https://app.example.com/h\"\nsecret = \"whsec_YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\"\n",
            "relay.toml:4:10: a destination `secret` is a secret",
        ),
    ];
    for (label, text, needle) in cases {
        let out = check_text(label, text).await;
        assert_one_line_error(&out, 2, needle);
        assert_no_secret(&out);
    }
}

#[tokio::test]
async fn check_config_lists_every_problem_it_finds_and_fails() {
    let text = "\
listen = \"no port here\"
gumroad-secret = { file = \"short.secret\" }
forward = [\"ftp://files.example.com/in\"]
[[destination]]
name = \"bad name!\"
url = \"not a url\"
";
    let out = check_text("problems", text).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let shown = stdout(&out);
    for needle in [
        "problem  gumroad: gumroad-secret (CREATOR_GUMROAD_SECRET) is too short",
        "problem  listen: --listen `no port here` is not an address",
        "problem  forward: `ftp://files.example.com/in` is not an http:// or https:// URL",
        "problem  destination bad name! (",
        "relay.toml:4:1): destination name",
    ] {
        assert!(shown.contains(needle), "`{needle}` not in:\n{shown}");
    }
    assert!(
        stderr(&out).contains("4 problem(s) in the relay configuration"),
        "{}",
        stderr(&out)
    );
    assert_no_secret(&out);
    // An unreachable database is a problem too.
    let dir = TempDir::new("nodir");
    let missing_dir = dir.path().join("no/such/dir/creator.db");
    let out = run(check(&example(), &missing_dir)).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("problem  ledger: "),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn flags_and_environment_override_the_file_and_the_relay_runs_on_it() {
    let dir = TempDir::new("config-run");
    let path = dir.path().join("relay.toml");
    // The file's listen address cannot be bound; the flag's wins.
    std::fs::write(
        &path,
        "listen = \"192.0.2.1:9\"\n\
         gumroad-secret = { file = \"gumroad.secret\" }\n\
         max-body-bytes = 10\n\
         [[destination]]\n\
         name = \"app\"\n\
         url = \"http://127.0.0.1:9/hooks\"\n\
         secret = { env = \"APP_WEBHOOK_SECRET\" }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("gumroad.secret"), format!("{GUMROAD}\n")).unwrap();
    let db = dir.db();
    let config = path.to_str().unwrap();
    let relay = spawn_relay_with(
        db.to_str().unwrap(),
        &[("APP_WEBHOOK_SECRET", APP)],
        &["--config", config, "--max-body-bytes", "65536"],
    )
    .await;
    let banner = relay.banner.join("\n");
    assert!(
        banner
            .contains("destination: app -> http://127.0.0.1:9/hooks (added from the config file)"),
        "{banner}"
    );
    assert!(
        !banner.contains(GUMROAD) && !banner.contains(APP),
        "{banner}"
    );
    // The file's secret guards the Gumroad endpoint; the flag's body limit
    // (not the file's 10 bytes) lets a real delivery in.
    let out = run({
        let mut cmd = creator();
        cmd.args([
            "simulate",
            "--provider",
            "gumroad",
            "--event",
            "sale",
            "--to",
            &format!("{}/webhooks/gumroad/{GUMROAD}", relay.base),
        ]);
        cmd
    })
    .await;
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(sigterm_and_wait(relay).await.success());

    // The environment variable of a flag overrides the file too.
    let mut cmd = creator();
    cmd.args([
        "relay",
        "--config",
        config,
        "--db",
        db.to_str().unwrap(),
        "--check-config",
    ])
    .env("CREATOR_GUMROAD_SECRET", "short")
    .env("APP_WEBHOOK_SECRET", APP);
    let out = run(cmd).await;
    assert!(
        stdout(&out)
            .contains("problem  gumroad: gumroad-secret (CREATOR_GUMROAD_SECRET) is too short"),
        "{}",
        stdout(&out)
    );
    // The destination is in the ledger now, and agrees with the file.
    let mut cmd = creator();
    cmd.args([
        "destinations",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    let rows = jsonl(&run(cmd).await);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "app");
}
