//! Every write command of `creator` (beyond `sales`, in `sales_writes`)
//! against wiremock platforms, from one table: the outgoing request (method,
//! path, a telling parameter), `--dry-run` sending nothing, and for each
//! destructive write the refusal without `--yes` and under `--no-input`.
//! Response bodies are the platform fixtures under `fixtures/` (their
//! provenance is in each directory's README).

use creator_testkit::{RecordedRequest, mount_fallback};
use wiremock::MockServer;

use crate::sales_writes::{TOKEN, mock, serve, writes};
use crate::support::*;

const P: &str = "prod-A1";
const KEY: &str = "85DB562A-C11D4B06-A2335A6B-8C079166";

/// Which platform a case talks to.
#[derive(Clone, Copy, Debug)]
enum On {
    Gumroad,
    Gank,
    Maton,
}

/// One write: its arguments, the request it must send, the answer served,
/// whether it asks first, and one parameter the request must carry.
struct Case {
    args: &'static [&'static str],
    on: On,
    verb: &'static str,
    path: &'static str,
    answer: &'static str,
    destructive: bool,
    param: Option<(&'static str, &'static str)>,
}

const fn case(
    args: &'static [&'static str],
    verb: &'static str,
    path: &'static str,
    answer: &'static str,
) -> Case {
    Case {
        args,
        on: On::Gumroad,
        verb,
        path,
        answer,
        destructive: false,
        param: None,
    }
}

impl Case {
    const fn asks(mut self) -> Self {
        self.destructive = true;
        self
    }
    const fn with(mut self, key: &'static str, value: &'static str) -> Self {
        self.param = Some((key, value));
        self
    }
    const fn on(mut self, on: On) -> Self {
        self.on = on;
        self
    }
}

const CASES: &[Case] = &[
    case(
        &[
            "products", "create", "--name", "Pencils", "--price", "12.50",
        ],
        "POST",
        "/v2/products",
        "gumroad/product_created.json",
    )
    .with("price", "1250"),
    case(
        &[
            "products",
            "create",
            "--name",
            "Pencils",
            "--price",
            "1500",
            "--currency",
            "jpy",
        ],
        "POST",
        "/v2/products",
        "gumroad/product_created.json",
    )
    .with("price", "1500"),
    case(
        &["products", "update", P, "--name", "Pens"],
        "PUT",
        "/v2/products/prod-A1",
        "gumroad/product_updated.json",
    )
    .with("name", "Pens"),
    case(
        &["products", "publish", P],
        "PUT",
        "/v2/products/prod-A1/enable",
        "gumroad/product_enabled.json",
    ),
    case(
        &["products", "unpublish", P],
        "PUT",
        "/v2/products/prod-A1/disable",
        "gumroad/product_disabled.json",
    ),
    case(
        &["products", "delete", P],
        "DELETE",
        "/v2/products/prod-A1",
        "gumroad/product_deleted.json",
    )
    .asks(),
    case(
        &["products", "cover", P, "--url", "https://img.example/c.png"],
        "POST",
        "/v2/products/prod-A1/covers",
        "gumroad/covers_added.json",
    )
    .with("url", "https://img.example/c.png"),
    case(
        &["products", "cover", P, "--remove", "cov-9"],
        "DELETE",
        "/v2/products/prod-A1/covers/cov-9",
        "gumroad/covers_removed.json",
    )
    .asks(),
    case(
        &[
            "products",
            "thumbnail",
            P,
            "--url",
            "https://img.example/t.png",
        ],
        "POST",
        "/v2/products/prod-A1/thumbnail",
        "gumroad/thumbnail_set.json",
    )
    .with("url", "https://img.example/t.png"),
    case(
        &["products", "thumbnail", P, "--remove"],
        "DELETE",
        "/v2/products/prod-A1/thumbnail",
        "gumroad/thumbnail_removed.json",
    )
    .asks(),
    case(
        &[
            "products",
            "variant-categories",
            "create",
            "--product",
            P,
            "Size",
        ],
        "POST",
        "/v2/products/prod-A1/variant_categories",
        "gumroad/variant_category.json",
    )
    .with("title", "Size"),
    case(
        &[
            "products",
            "variant-categories",
            "update",
            "--product",
            P,
            "vc-1",
            "--title",
            "Colour",
        ],
        "PUT",
        "/v2/products/prod-A1/variant_categories/vc-1",
        "gumroad/variant_category_updated.json",
    )
    .with("title", "Colour"),
    case(
        &[
            "products",
            "variant-categories",
            "delete",
            "--product",
            P,
            "vc-1",
        ],
        "DELETE",
        "/v2/products/prod-A1/variant_categories/vc-1",
        "gumroad/variant_category_deleted.json",
    )
    .asks(),
    case(
        &[
            "products",
            "variants",
            "create",
            "--product",
            P,
            "--category",
            "vc-1",
            "--name",
            "Large",
            "--price-difference-cents",
            "200",
        ],
        "POST",
        "/v2/products/prod-A1/variant_categories/vc-1/variants",
        "gumroad/variant_created.json",
    )
    .with("price_difference_cents", "200"),
    case(
        &[
            "products",
            "variants",
            "update",
            "--product",
            P,
            "--category",
            "vc-1",
            "v-1",
            "--name",
            "XL",
        ],
        "PUT",
        "/v2/products/prod-A1/variant_categories/vc-1/variants/v-1",
        "gumroad/variant.json",
    )
    .with("name", "XL"),
    case(
        &[
            "products",
            "variants",
            "delete",
            "--product",
            P,
            "--category",
            "vc-1",
            "v-1",
        ],
        "DELETE",
        "/v2/products/prod-A1/variant_categories/vc-1/variants/v-1",
        "gumroad/variant_deleted.json",
    )
    .asks(),
    case(
        &[
            "products",
            "offer-codes",
            "create",
            "--product",
            P,
            "SPRING",
            "--percent-off",
            "20",
        ],
        "POST",
        "/v2/products/prod-A1/offer_codes",
        "gumroad/offer_code_created.json",
    )
    .with("name", "SPRING"),
    case(
        &[
            "products",
            "offer-codes",
            "update",
            "--product",
            P,
            "oc-1",
            "--max-purchases",
            "5",
        ],
        "PUT",
        "/v2/products/prod-A1/offer_codes/oc-1",
        "gumroad/offer_code_updated.json",
    )
    .with("max_purchase_count", "5"),
    case(
        &["products", "offer-codes", "delete", "--product", P, "oc-1"],
        "DELETE",
        "/v2/products/prod-A1/offer_codes/oc-1",
        "gumroad/offer_code_deleted.json",
    )
    .asks(),
    case(
        &[
            "products",
            "custom-fields",
            "create",
            "--product",
            P,
            "Company",
            "--required",
        ],
        "POST",
        "/v2/products/prod-A1/custom_fields",
        "gumroad/custom_field_created.json",
    )
    .with("name", "Company"),
    case(
        &[
            "products",
            "custom-fields",
            "update",
            "--product",
            P,
            "Company",
            "--required",
        ],
        "PUT",
        "/v2/products/prod-A1/custom_fields/Company",
        "gumroad/custom_field_updated.json",
    )
    .with("required", "true"),
    case(
        &[
            "products",
            "custom-fields",
            "delete",
            "--product",
            P,
            "Company",
        ],
        "DELETE",
        "/v2/products/prod-A1/custom_fields/Company",
        "gumroad/custom_field_deleted.json",
    )
    .asks(),
    case(
        &[
            "upsells",
            "create",
            "Bundle deal",
            "--product",
            P,
            "--percent-off",
            "10",
        ],
        "POST",
        "/v2/upsells",
        "gumroad/upsell_created.json",
    )
    .with("name", "Bundle deal"),
    case(
        &["upsells", "delete", "up-1"],
        "DELETE",
        "/v2/upsells/up-1",
        "gumroad/upsell_deleted.json",
    )
    .asks(),
    case(
        &[
            "emails",
            "create",
            "--subject",
            "New release",
            "--body",
            "<p>v2</p>",
        ],
        "POST",
        "/v2/emails",
        "gumroad/email_created.json",
    )
    .with("subject", "New release"),
    case(
        &["emails", "preview", "em-1"],
        "POST",
        "/v2/emails/em-1/preview",
        "gumroad/email_preview.json",
    ),
    case(
        &["emails", "send", "em-1"],
        "POST",
        "/v2/emails/em-1/send",
        "gumroad/email_sent.json",
    )
    .asks(),
    case(
        &["emails", "schedule", "em-1", "--at", "2026-06-18T14:00:00Z"],
        "POST",
        "/v2/emails/em-1/schedule",
        "gumroad/email_scheduled.json",
    )
    .with("to_be_published_at", "2026-06-18T14:00:00Z"),
    case(
        &["emails", "unschedule", "em-1"],
        "POST",
        "/v2/emails/em-1/unschedule",
        "gumroad/email_unscheduled.json",
    ),
    case(
        &["emails", "delete", "em-1"],
        "DELETE",
        "/v2/emails/em-1",
        "gumroad/email_deleted.json",
    )
    .asks(),
    case(
        &[
            "workflows",
            "add-email",
            "wf-1",
            "--subject",
            "Week one",
            "--body",
            "<p>hi</p>",
            "--delay",
            "2",
        ],
        "POST",
        "/v2/workflows/wf-1/emails",
        "gumroad/workflow_email_created.json",
    )
    .with("subject", "Week one"),
    case(
        &[
            "workflows",
            "update-email",
            "wf-1",
            "we-1",
            "--subject",
            "Week 1",
        ],
        "PUT",
        "/v2/workflows/wf-1/emails/we-1",
        "gumroad/workflow_email_updated.json",
    )
    .with("subject", "Week 1"),
    case(
        &["license", "enable", "--product", P, KEY],
        "PUT",
        "/v2/licenses/enable",
        "gumroad/license_verify.json",
    )
    .with("product_id", P),
    case(
        &["license", "disable", "--product", P, KEY],
        "PUT",
        "/v2/licenses/disable",
        "gumroad/license_disabled.json",
    )
    .asks(),
    case(
        &["license", "decrement", "--product", P, KEY],
        "PUT",
        "/v2/licenses/decrement_uses_count",
        "gumroad/license_decremented.json",
    ),
    case(
        &["license", "rotate", "--product", P, KEY],
        "PUT",
        "/v2/licenses/rotate",
        "gumroad/license_rotated.json",
    )
    .asks(),
    case(
        &[
            "webhooks",
            "subscribe",
            "--event",
            "refund",
            "https://hooks.example/g/s3cr3t",
        ],
        "PUT",
        "/v2/resource_subscriptions",
        "gumroad/resource_subscription_created.json",
    )
    .with("resource_name", "refund"),
    case(
        &["webhooks", "delete", "rs-1"],
        "DELETE",
        "/v2/resource_subscriptions/rs-1",
        "gumroad/resource_subscription_deleted.json",
    )
    .asks(),
    case(
        &[
            "gank",
            "webhook",
            "register",
            "https://hooks.example/gank",
            "--event",
            "USER_MEMBERSHIP.TX_SUCCEED",
        ],
        "POST",
        "/auth/external-callback/register",
        "gank/webhook_register.json",
    )
    .on(On::Gank)
    .asks(),
    case(
        &[
            "gank",
            "webhook",
            "events",
            "--event",
            "DIGITAL_GOODS.TX_SUCCEED",
        ],
        "PATCH",
        "/auth/external-callback/register/events",
        "gank/webhook_update_events.json",
    )
    .on(On::Gank),
    case(
        &["connections", "create", "gumroad"],
        "POST",
        "/connections",
        "maton/connections/create_wrapped.json",
    )
    .on(On::Maton)
    .with("app", "gumroad"),
    case(
        &["connections", "delete", "conn-1"],
        "DELETE",
        "/connections/conn-1",
        "maton/connections/get.json",
    )
    .on(On::Maton)
    .asks(),
];

const GANK_TOKEN: &str = "gank-login-token-0123456789";
const MATON_KEY: &str = "maton-key-0123456789abcdef";

fn command(on: On, server: &MockServer, args: &[&str]) -> std::process::Command {
    let mut cmd = creator();
    cmd.args(args);
    match on {
        On::Gumroad => cmd
            .env("GUMROAD_ACCESS_TOKEN", TOKEN)
            .env("GUMROAD_API_URL", server.uri()),
        On::Gank => cmd
            .env("GANK_LOGIN_TOKEN", GANK_TOKEN)
            .env("GANK_V2_URL", server.uri()),
        On::Maton => cmd
            .env("MATON_API_KEY", MATON_KEY)
            .env("MATON_API_URL", server.uri()),
    };
    cmd
}

fn with<'a>(args: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(more).copied().collect()
}

/// A request parameter, from the form or the top level of a JSON body.
fn param(r: &RecordedRequest, key: &str) -> Option<String> {
    if let Some(v) = r.form_value(key) {
        return Some(v.to_owned());
    }
    match r.json.as_ref()?.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        v => Some(v.to_string()),
    }
}

#[tokio::test]
async fn every_write_sends_its_request_dry_runs_send_nothing_and_destructive_ones_ask() {
    for c in CASES {
        let server = MockServer::start().await;
        mock(&server, c.verb, c.path, fixture(c.answer)).await;
        mount_fallback(&server).await;
        let label = c.args.join(" ");

        // --dry-run: the request is printed, redacted, and not sent.
        let out = run(command(c.on, &server, &with(c.args, &["--dry-run"]))).await;
        assert!(out.status.success(), "{label}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!("  {} {}{}", c.verb, server.uri(), c.path)),
            "{label}: {text}"
        );
        for secret in [TOKEN, GANK_TOKEN, MATON_KEY, KEY] {
            assert!(!text.contains(secret), "{label} leaks a secret: {text}");
        }
        assert!(
            writes(&server).await.is_empty(),
            "{label}: a dry run sent a write"
        );

        if c.destructive {
            let out = run(command(c.on, &server, c.args)).await;
            assert_one_line_error(&out, 2, "pass --yes");
            let out = run(command(
                c.on,
                &server,
                &with(c.args, &["--no-input", "--format", "json"]),
            ))
            .await;
            let err: serde_json::Value = serde_json::from_str(stderr(&out).trim())
                .unwrap_or_else(|e| panic!("{label}: {e}: {}", stderr(&out)));
            assert_eq!(err["error"]["code"], "not_confirmed", "{label}");
            assert!(
                err["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("--no-input"),
                "{label}"
            );
            assert!(
                writes(&server).await.is_empty(),
                "{label}: sent without --yes"
            );
        }

        let out = run(command(c.on, &server, &with(c.args, &["--yes"]))).await;
        assert!(out.status.success(), "{label}: {}", stderr(&out));
        assert!(!stdout(&out).trim().is_empty(), "{label}: says nothing");
        let w = writes(&server).await;
        assert_eq!(w.len(), 1, "{label}: {w:?}");
        assert_eq!(
            (w[0].method.as_str(), w[0].path.as_str()),
            (c.verb, c.path),
            "{label}"
        );
        if let Some((key, value)) = c.param {
            assert_eq!(param(&w[0], key).as_deref(), Some(value), "{label}: {w:?}");
        }
        match c.on {
            On::Gumroad => assert_eq!(w[0].bearer(), Some(TOKEN), "{label}"),
            On::Gank => assert_eq!(w[0].bearer(), Some(GANK_TOKEN), "{label}"),
            On::Maton => assert_eq!(w[0].bearer(), Some(MATON_KEY), "{label}"),
        }
    }
}

#[tokio::test]
async fn a_license_key_from_standard_input_stays_out_of_argv_and_the_dry_run() {
    let server = MockServer::start().await;
    mock(
        &server,
        "PUT",
        "/v2/licenses/rotate",
        fixture("gumroad/license_rotated.json"),
    )
    .await;
    mount_fallback(&server).await;
    let args = ["license", "rotate", "--product", P, "--dry-run"];
    let out = run_with_stdin(command(On::Gumroad, &server, &args), &format!("{KEY}\n")).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("license_key=<redacted>"), "{text}");
    assert!(!text.contains(KEY), "{text}");
    assert!(writes(&server).await.is_empty());

    let args = ["license", "rotate", "--product", P, "-", "--yes"];
    let out = run_with_stdin(command(On::Gumroad, &server, &args), &format!("{KEY}\n")).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("License key rotated; the new key: "),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        writes(&server).await[0].form_value("license_key"),
        Some(KEY)
    );

    let out = run_with_stdin(
        command(On::Gumroad, &server, &["license", "enable", "--product", P]),
        "\n",
    )
    .await;
    assert_one_line_error(&out, 2, "standard input is empty");
}

#[tokio::test]
async fn subscribe_all_adds_only_the_missing_events_and_its_dry_run_shows_each() {
    let server = MockServer::start().await;
    // `sale` already posts to the URL (the fixture's subscription); the other
    // seven are missing.
    let url = "https://hooks.example/gumroad/abc";
    let listed = String::from_utf8(fixture("gumroad/resource_subscriptions.json")).unwrap();
    let first: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let existing_url = first["resource_subscriptions"][0]["post_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let existing_name = first["resource_subscriptions"][0]["resource_name"]
        .as_str()
        .unwrap()
        .to_owned();
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/v2/resource_subscriptions"))
        .and(wiremock::matchers::query_param(
            "resource_name",
            existing_name.as_str(),
        ))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_raw(listed.clone(), "application/json"),
        )
        .mount(&server)
        .await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/v2/resource_subscriptions"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(
            r#"{"success":true,"resource_subscriptions":[]}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    mock(
        &server,
        "PUT",
        "/v2/resource_subscriptions",
        fixture("gumroad/resource_subscription_created.json"),
    )
    .await;
    mount_fallback(&server).await;

    let out = run(command(
        On::Gumroad,
        &server,
        &[
            "webhooks",
            "subscribe-all",
            &existing_url,
            "--dry-run",
            "--format",
            "json",
        ],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["requests"].as_array().unwrap().len(), 7, "{v}");
    assert!(writes(&server).await.is_empty());

    let out = run(command(
        On::Gumroad,
        &server,
        &["webhooks", "subscribe-all", url],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = writes(&server)
        .await
        .iter()
        .map(|r| r.form_value("resource_name").unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 8, "a new URL gets all eight: {names:?}");
    assert!(names.contains(&"subscription_restarted".to_owned()));
}

#[tokio::test]
async fn reads_print_objects_and_lists_and_bad_input_is_one_line() {
    let server = MockServer::start().await;
    serve(
        &server,
        &[
            (
                "GET",
                "/v2/products/prod-A1/offer_codes",
                "gumroad/offer_codes.json",
            ),
            (
                "GET",
                "/v2/payouts/upcoming",
                "gumroad/payouts_upcoming.json",
            ),
            ("GET", "/v2/upsells", "gumroad/upsells.json"),
        ],
    )
    .await;
    mount_fallback(&server).await;
    let out = run(command(
        On::Gumroad,
        &server,
        &[
            "products",
            "offer-codes",
            "list",
            "--product",
            P,
            "--format",
            "json",
        ],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let codes: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!codes.is_empty());
    let out = run(command(On::Gumroad, &server, &["payouts", "upcoming"])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("id"), "a table: {}", stdout(&out));
    let out = run(command(
        On::Gumroad,
        &server,
        &["upsells", "list", "--jq", "length"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).trim().parse::<u32>().is_ok(),
        "{}",
        stdout(&out)
    );

    for (args, needle) in [
        (
            &["products", "create", "--name", "X", "--price", "1.234"][..],
            "--price `1.234`",
        ),
        (
            &[
                "products",
                "create",
                "--name",
                "X",
                "--price",
                "5",
                "--currency",
                "xyz",
            ],
            "not a currency",
        ),
        (&["products", "update", P], "nothing to change"),
        (
            &["emails", "schedule", "em-1", "--at", "soon"],
            "--at `soon`",
        ),
        (
            &["products", "offer-codes", "update", "--product", P, "oc-1"],
            "nothing to change",
        ),
    ] {
        let out = run(command(On::Gumroad, &server, args)).await;
        assert_one_line_error(&out, 2, needle);
    }
    let out = run(command(
        On::Gumroad,
        &server,
        &[
            "webhooks",
            "subscribe",
            "--event",
            "sales",
            "https://x.example",
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("dispute_won"), "{}", stderr(&out));
    assert!(writes(&server).await.is_empty());
}

/// A Gumroad mock for `products upload`: presign (one part, on this server),
/// storage, complete (`complete_first` answers the first completion), and
/// the product read and update that attach the file.
async fn upload_server(complete_first: Option<wiremock::ResponseTemplate>) -> MockServer {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = MockServer::start().await;
    let template = String::from_utf8(fixture("gumroad/files_presign_upload_template.json"))
        .unwrap()
        .replace("STORAGE", &server.uri());
    let mut presign: serde_json::Value = serde_json::from_str(&template).unwrap();
    presign["parts"].as_array_mut().unwrap().truncate(1);
    mock(
        &server,
        "POST",
        "/v2/files/presign",
        presign.to_string().into_bytes(),
    )
    .await;
    Mock::given(method("PUT"))
        .and(path("/s3/build.zip"))
        .respond_with(ResponseTemplate::new(200).insert_header("ETag", "\"etag-1\""))
        .mount(&server)
        .await;
    if let Some(first) = complete_first {
        Mock::given(method("POST"))
            .and(path("/v2/files/complete"))
            .respond_with(first)
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    serve(
        &server,
        &[
            ("POST", "/v2/files/complete", "gumroad/files_complete.json"),
            (
                "GET",
                "/v2/products/prod-A1",
                "gumroad/product_shared_content.json",
            ),
            (
                "PUT",
                "/v2/products/prod-A1",
                "gumroad/product_updated.json",
            ),
        ],
    )
    .await;
    mount_fallback(&server).await;
    server
}

#[tokio::test]
async fn upload_sends_the_parts_completes_and_attaches_the_file() {
    let server = upload_server(None).await;
    let dir = TempDir::new("upload");
    let file = dir.path().join("build.zip");
    std::fs::write(&file, vec![7u8; 4096]).unwrap();
    let file = file.to_str().unwrap();

    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "upload", P, file, "--dry-run"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("/v2/files/presign"),
        "{}",
        stdout(&out)
    );
    assert!(
        writes(&server).await.is_empty(),
        "a dry run starts no upload"
    );

    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "upload", P, file, "--name", "Build 2"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let w = writes(&server).await;
    let steps: Vec<(&str, &str)> = w
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("POST", "/v2/files/presign"),
            ("PUT", "/s3/build.zip"),
            ("POST", "/v2/files/complete"),
            ("PUT", "/v2/products/prod-A1"),
        ]
    );
    assert_eq!(w[0].form_value("file_size"), Some("4096"));
    assert_eq!(w[1].body.len(), 4096, "the file's bytes went to storage");
    assert_eq!(w[2].json.as_ref().unwrap()["parts"][0]["etag"], "etag-1");
    let files = w[3].json.as_ref().unwrap()["files"].to_string();
    assert!(
        files.contains("course.pdf") && files.contains("Build 2"),
        "{files}"
    );
}

#[tokio::test]
async fn a_cut_off_completion_is_kept_and_resume_finishes_it() {
    let server = upload_server(Some(wiremock::ResponseTemplate::new(502))).await;
    let dir = TempDir::new("upload-resume");
    let path = dir.path().join("build.zip");
    std::fs::write(&path, b"hello build").unwrap();
    let file = path.to_str().unwrap();
    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "upload", P, file],
    ))
    .await;
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--resume"), "{err}");
    let state = dir.path().join("build.zip.creator-upload");
    assert!(state.exists(), "the open upload's handles are kept");
    assert!(
        !writes(&server)
            .await
            .iter()
            .any(|r| r.path == "/v2/files/abort"),
        "not aborted"
    );

    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "upload", P, file, "--resume"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let w = writes(&server).await;
    let presigns = w.iter().filter(|r| r.path == "/v2/files/presign").count();
    assert_eq!(presigns, 1, "resume does not upload again");
    assert_eq!(w.last().unwrap().path, "/v2/products/prod-A1");
    assert!(!state.exists(), "the state is gone once attached");

    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "upload", P, file, "--resume"],
    ))
    .await;
    assert!(
        stderr(&out).contains("nothing to resume"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn content_prints_the_pages_and_set_content_replaces_them_after_asking() {
    let server = MockServer::start().await;
    serve(
        &server,
        &[
            (
                "GET",
                "/v2/products/prod-A1",
                "gumroad/product_shared_content.json",
            ),
            (
                "PUT",
                "/v2/products/prod-A1",
                "gumroad/product_updated.json",
            ),
        ],
    )
    .await;
    mount_fallback(&server).await;
    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "content", P, "--format", "json"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let pages: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!pages.as_array().unwrap().is_empty(), "{pages}");
    let out = run(command(On::Gumroad, &server, &["products", "content", P])).await;
    assert!(out.status.success(), "people get it too: {}", stderr(&out));

    let dir = TempDir::new("content");
    let file = dir.path().join("pages.json");
    std::fs::write(&file, pages.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "set-content", P, file],
    ))
    .await;
    assert_one_line_error(&out, 2, "Replace every content page");
    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "set-content", P, file, "-y"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let w = writes(&server).await;
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].json.as_ref().unwrap()["rich_content"], pages);

    std::fs::write(dir.path().join("bad.json"), "{\"not\": \"pages\"}").unwrap();
    let bad = dir.path().join("bad.json");
    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "set-content", P, bad.to_str().unwrap(), "-y"],
    ))
    .await;
    assert_one_line_error(&out, 2, "not a JSON array of content pages");
}

#[tokio::test]
async fn a_new_price_is_scaled_by_the_products_own_currency() {
    let server = MockServer::start().await;
    let yen = String::from_utf8(fixture("gumroad/product.json"))
        .unwrap()
        .replace("\"currency\":\"usd\"", "\"currency\":\"jpy\"");
    mock(&server, "GET", "/v2/products/prod-A1", yen.into_bytes()).await;
    mock(
        &server,
        "PUT",
        "/v2/products/prod-A1",
        fixture("gumroad/product_updated.json"),
    )
    .await;
    mount_fallback(&server).await;
    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "update", P, "--price", "1500"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        param(&writes(&server).await[0], "price").as_deref(),
        Some("1500"),
        "yen have no cents"
    );
    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "update", P, "--price", "12.50"],
    ))
    .await;
    assert_ne!(out.status.code(), Some(0), "12.50 yen is not an amount");
    assert!(stderr(&out).contains("--price `12.50`"), "{}", stderr(&out));
    assert_eq!(writes(&server).await.len(), 1);
}

#[tokio::test]
async fn debug_shows_each_write_request_and_response_line_redacted_and_quiet_prints_nothing() {
    let server = MockServer::start().await;
    serve(
        &server,
        &[(
            "PUT",
            "/v2/products/prod-A1/enable",
            "gumroad/product_enabled.json",
        )],
    )
    .await;
    mount_fallback(&server).await;
    let out = run(command(
        On::Gumroad,
        &server,
        &["--debug", "products", "publish", P],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "> PUT {}/v2/products/prod-A1/enable",
            server.uri()
        )),
        "{err}"
    );
    assert!(err.contains("> authorization: Bearer <redacted>"), "{err}");
    assert!(err.contains("< 200"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
    assert_eq!(stdout(&out).trim(), "Published product prod-A1");
    let out = run(command(
        On::Gumroad,
        &server,
        &["products", "publish", P, "--quiet"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    assert_eq!(writes(&server).await.len(), 2);
}
