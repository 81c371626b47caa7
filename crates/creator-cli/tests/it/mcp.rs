//! `creator mcp` through a real MCP client session: the SDK's client
//! (`rmcp`, child-process transport) spawns the built binary and speaks the
//! protocol over its stdin/stdout, against wiremock Gumroad on 127.0.0.1
//! serving the recorded fixtures (fixtures/README.md says where each came
//! from) and a ledger filled by a real relay.

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const TOKEN: &str = "gumroad-token-for-mcp-tests-789";
const SALE: &str = "B28UKN-dvxYabdavG97Y-Q==";

async fn gumroad() -> MockServer {
    let server = MockServer::start().await;
    mount_gumroad_sales_pages(&server).await;
    // A success whose body creator cannot read (the `sale` is no object).
    Mock::given(method("PUT"))
        .and(path("/v2/sales/broken-sale/refund"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"success":true,"sale":"refunded"}"#, "application/json"),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/sales/{SALE}")))
        .respond_with(json_fixture("gumroad/sale.json"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex(r"^/v2/sales/[^/]+/refund$"))
        .respond_with(json_fixture("gumroad/sale_partially_refunded.json"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/v2/licenses/rotate"))
        .respond_with(json_fixture("gumroad/license_rotated.json"))
        .mount(&server)
        .await;
    creator_testkit::mount_fallback(&server).await;
    server
}

/// The SDK's client, with `creator mcp --db DB` as its child process and
/// `envs` (credentials, base URLs) in its environment.
async fn session(
    envs: &[(&str, String)],
    config: &TempDir,
    db: &str,
) -> RunningService<RoleClient, ()> {
    let mut cmd = creator();
    cmd.args(["mcp", "--db", db])
        .env("CREATOR_CONFIG_DIR", config.path());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let transport = TokioChildProcess::new(tokio::process::Command::from(cmd)).expect("spawn");
    ().serve(transport).await.expect("MCP handshake")
}

fn gumroad_env(server: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("GUMROAD_ACCESS_TOKEN", TOKEN.to_owned()),
        ("GUMROAD_API_URL", server.uri()),
    ]
}

async fn call(client: &RunningService<RoleClient, ()>, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments are an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args))
        .await
        .expect("a tool result, not a protocol error")
}

fn ok(result: &CallToolResult) -> &Value {
    assert_ne!(result.is_error, Some(true), "{result:?}");
    result.structured_content.as_ref().expect("structured")
}

fn error_text(result: &CallToolResult) -> String {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    serde_json::to_string(&result.content).unwrap()
}

/// The PUTs the platform received so far.
async fn writes(server: &MockServer) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() != "GET")
        .collect()
}

#[tokio::test]
async fn an_mcp_client_lists_tools_reads_and_refunds_once_per_idempotency_key() {
    let server = gumroad().await;
    let config = TempDir::new("mcp-config");
    let (ledger_dir, relay) = TestRelay::fresh("mcp-ledger").await;
    let (status, _) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(status, 200);
    relay.stop().await;
    let db = ledger_dir.db();
    let client = session(&gumroad_env(&server), &config, db.to_str().unwrap()).await;

    // The catalog: every tool with a schema; writes say they are not read-only.
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for name in [
        "products_list",
        "sales_list",
        "sale_get",
        "subscribers_list",
        "license_verify",
        "payouts_list",
        "ledger_events",
        "sale_refund",
        "sale_resend_receipt",
        "sale_revoke_access",
        "sale_restore_access",
        "sale_mark_shipped",
        "license_enable",
        "license_disable",
        "license_rotate",
        "license_decrement_uses",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let refund = tools.iter().find(|t| t.name == "sale_refund").unwrap();
    let schema = serde_json::to_value(&*refund.input_schema).unwrap();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"sale_id") && required.contains(&"idempotency_key"));
    assert_eq!(schema["additionalProperties"], json!(false));
    let hints = refund.annotations.as_ref().expect("annotations");
    assert_eq!(hints.read_only_hint, Some(false));
    assert_eq!(hints.destructive_hint, Some(true));

    // A read: three sales over two pages, and more left.
    let sales = call(&client, "sales_list", json!({"limit": 3})).await;
    let sales = ok(&sales);
    let ids: Vec<&str> = sales["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "dHdvTWVtYmVyU2FsZQ==",
            "cGh5c2ljYWxTYWxl",
            "cmVmdW5kZWRTYWxl"
        ]
    );
    assert_eq!(sales["truncated"], json!(true));
    assert_eq!(sales["provider"], "gumroad");

    // The ledger the relay wrote.
    let events = call(&client, "ledger_events", json!({"provider": "gumroad"})).await;
    let events = ok(&events);
    assert_eq!(events["count"], json!(1));
    assert_eq!(events["items"][0]["subject_id"], "FO8TXN-dvxYabdavG97Y-Q==");

    // A write without confirm: the exact request, redacted, and nothing sent.
    let refund = json!({"sale_id": SALE, "amount": "5.00", "idempotency_key": "refund-1"});
    let dry = call(&client, "sale_refund", refund.clone()).await;
    let dry = ok(&dry);
    assert_eq!(dry["dry_run"], json!(true));
    assert_eq!(dry["sent"], json!(false));
    let request = &dry["requests"][0];
    assert_eq!(request["method"], "PUT");
    assert!(
        request["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/v2/sales/{SALE}/refund")),
        "{request}"
    );
    assert_eq!(request["form"], json!([["amount_cents", "500"]]));
    assert!(!dry.to_string().contains(TOKEN), "{dry}");
    assert!(dry.to_string().contains("Bearer <redacted>"), "{dry}");
    assert!(writes(&server).await.is_empty(), "a dry run sends nothing");

    // A license write's key is redacted in the dry run too.
    let rotate = call(
        &client,
        "license_rotate",
        json!({"product_id": "p1", "license_key": "ABCD1234-EFGH5678", "idempotency_key": "rot-1"}),
    )
    .await;
    let rotate = ok(&rotate);
    assert_eq!(
        rotate["requests"][0]["form"],
        json!([["product_id", "p1"], ["license_key", "<redacted>"]])
    );
    assert!(writes(&server).await.is_empty());

    // More than is left to refund: refused before anything is sent.
    let too_much = call(
        &client,
        "sale_refund",
        json!({"sale_id": SALE, "amount": "20", "confirm": true, "idempotency_key": "refund-big"}),
    )
    .await;
    assert!(error_text(&too_much).contains("left to refund"));
    assert!(writes(&server).await.is_empty());

    // With confirm: exactly one request, with the right body.
    let mut confirmed = refund.clone();
    confirmed["confirm"] = json!(true);
    let done = call(&client, "sale_refund", confirmed.clone()).await;
    let done = ok(&done);
    assert_eq!(done["sent"], json!(true));
    assert_eq!(done["replayed"], json!(false));
    assert_eq!(done["result"]["partially_refunded"], json!(true));
    let sent = writes(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "PUT");
    assert_eq!(sent[0].url.path(), format!("/v2/sales/{SALE}/refund"));
    assert_eq!(
        std::str::from_utf8(&sent[0].body).unwrap(),
        "amount_cents=500"
    );
    assert_eq!(
        sent[0].headers.get("authorization").unwrap(),
        &format!("Bearer {TOKEN}")
    );

    // The same call again (a retry): the first result, no second refund.
    let again = call(&client, "sale_refund", confirmed.clone()).await;
    let again = ok(&again);
    assert_eq!(again["replayed"], json!(true));
    assert_eq!(again["sent"], json!(false));
    assert_eq!(again["result"], done["result"]);
    assert_eq!(writes(&server).await.len(), 1);

    // The key for another call: an error, nothing sent.
    let mut other = confirmed.clone();
    other["amount"] = json!("1.00");
    let reused = call(&client, "sale_refund", other).await;
    assert!(error_text(&reused).contains("already used for another call"));
    assert_eq!(writes(&server).await.len(), 1);

    // An answer creator cannot read: the refund may have happened, so a
    // retry with that key is refused instead of sent again.
    let broken =
        json!({"sale_id": "broken-sale", "confirm": true, "idempotency_key": "refund-broken"});
    let first = call(&client, "sale_refund", broken.clone()).await;
    assert!(error_text(&first).contains("cannot read"));
    assert_eq!(writes(&server).await.len(), 2);
    let retry = call(&client, "sale_refund", broken).await;
    assert!(error_text(&retry).contains("may have reached the platform"));
    assert_eq!(writes(&server).await.len(), 2);

    // Bad arguments and missing credentials are tool errors, not crashes.
    let typo = call(
        &client,
        "sale_refund",
        json!({"sale_id": SALE, "amout": "1", "idempotency_key": "x"}),
    )
    .await;
    assert!(error_text(&typo).contains("unknown field `amout`"));
    let gank = call(&client, "products_list", json!({"provider": "gank"})).await;
    assert!(error_text(&gank).contains("GANK_LOGIN_TOKEN"));
    client.cancel().await.expect("close the session");

    // A new server (a restarted client) still knows the key.
    let client = session(&gumroad_env(&server), &config, db.to_str().unwrap()).await;
    let after_restart = call(&client, "sale_refund", confirmed).await;
    assert_eq!(ok(&after_restart)["replayed"], json!(true));
    assert_eq!(writes(&server).await.len(), 2);
    client.cancel().await.expect("close the session");
}

#[tokio::test]
async fn reads_reach_every_provider_license_checks_and_payouts_in_one_session() {
    let gumroad = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/payouts"))
        .respond_with(json_fixture("gumroad/payouts_page1.json"))
        .mount(&gumroad)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/licenses/verify"))
        .respond_with(json_fixture("gumroad/license_verify.json"))
        .mount(&gumroad)
        .await;
    creator_testkit::mount_fallback(&gumroad).await;
    let gank = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payment/creator/subscribers"))
        .and(query_param("active", "true"))
        .and(query_param("page", "1"))
        .respond_with(json_fixture("gank/subscribers_page1.json"))
        .mount(&gank)
        .await;
    creator_testkit::mount_fallback(&gank).await;
    let maton = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gumroad/v2/sales"))
        .respond_with(json_fixture("gumroad/sales_page3.json"))
        .mount(&maton)
        .await;
    creator_testkit::mount_fallback(&maton).await;

    let config = TempDir::new("mcp-reads");
    let mut envs = gumroad_env(&gumroad);
    envs.extend([
        (
            "GANK_CREATOR_TOKEN",
            "gank-creator-token-for-mcp".to_owned(),
        ),
        ("GANK_V2_URL", gank.uri()),
        ("MATON_API_KEY", "maton-key-for-mcp-tests".to_owned()),
        ("MATON_API_URL", maton.uri()),
    ]);
    let db = config.path().join("no-ledger.db");
    let client = session(&envs, &config, db.to_str().unwrap()).await;

    let members = call(
        &client,
        "subscribers_list",
        json!({"provider": "gank", "active": true, "limit": 1}),
    )
    .await;
    let members = ok(&members);
    assert_eq!(members["provider"], "gank");
    assert_eq!(members["count"], json!(1));
    assert_eq!(members["truncated"], json!(true));
    assert_eq!(
        members["items"][0]["customer"]["nickname"],
        "notruffX9VpAK6"
    );

    let sales = call(&client, "sales_list", json!({"provider": "maton"})).await;
    let sales = ok(&sales);
    assert_eq!(sales["provider"], "maton");
    assert_eq!(sales["items"][0]["id"], SALE);
    assert_eq!(sales["truncated"], json!(false));
    let through = &maton.received_requests().await.unwrap()[0];
    assert_eq!(
        through.headers.get("authorization").unwrap(),
        "Bearer maton-key-for-mcp-tests"
    );

    let payouts = call(&client, "payouts_list", json!({"limit": 2})).await;
    let payouts = ok(&payouts);
    assert_eq!(payouts["count"], json!(2));
    assert_eq!(
        payouts["items"][0]["id"],
        Value::Null,
        "the upcoming payout"
    );
    assert_eq!(payouts["items"][1]["id"], "cGF5b3V0MQ==");
    let gank_payouts = call(&client, "payouts_list", json!({"provider": "gank"})).await;
    assert!(error_text(&gank_payouts).contains("gank offers no payouts API"));

    let license = call(
        &client,
        "license_verify",
        json!({"product_id": "A-m3CDDC5dlrSdKZp0RFhA==", "license_key": "ABCD1234-EFGH5678"}),
    )
    .await;
    let license = ok(&license);
    assert_eq!(license["grants_access"], json!(true));
    assert_eq!(license["counted_this_check"], json!(false));
    let verify = gumroad
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == "/v2/licenses/verify")
        .expect("the check was sent");
    let form = std::str::from_utf8(&verify.body).unwrap();
    assert!(form.contains("increment_uses_count=false"), "{form}");
    assert!(
        verify.headers.get("authorization").is_none(),
        "no token for a license check"
    );

    let events = call(&client, "ledger_events", json!({})).await;
    assert!(error_text(&events).contains("no ledger at"));
    client.cancel().await.expect("close the session");
}
