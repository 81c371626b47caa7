//! `cargo xtask fixtures record`: re-record fixtures from your own account.
//!
//! Only read-only endpoints are in the table below (every request is a GET);
//! naming a write endpoint is refused. Each response is redacted before it is
//! written, and the token used is scrubbed from the bytes as well.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use creator_core::http::{Auth, Transport};
use creator_core::{Provider, Secret};
use serde_json::Value;

use crate::redact;

/// The platforms that can be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Gumroad API v2, directly.
    Gumroad,
    /// Gank V1 and V2.
    Gank,
    /// The Maton control plane, and Gumroad through the gateway.
    Maton,
}

impl Platform {
    /// Parses `gumroad`, `gank` or `maton`.
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "gumroad" => Ok(Platform::Gumroad),
            "gank" => Ok(Platform::Gank),
            "maton" => Ok(Platform::Maton),
            other => Err(format!(
                "unknown provider `{other}`: use gumroad, gank or maton"
            )),
        }
    }

    fn dir(self) -> &'static str {
        match self {
            Platform::Gumroad => "gumroad",
            Platform::Gank => "gank",
            Platform::Maton => "maton",
        }
    }
}

/// Which host of a platform an endpoint lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    /// Gumroad's API, Gank's V2, Maton's single host.
    Main,
    /// Gank's V1 host.
    GankV1,
}

/// One read-only endpoint: there is deliberately no method field, every recording is a GET.
#[derive(Debug, Clone, Copy)]
struct Endpoint {
    name: &'static str,
    file: &'static str,
    host: Host,
    /// Path; `{}` is replaced by the value at `arg`.
    path: &'static str,
    /// Query pairs; `{}` in a value is replaced by the value at `arg`.
    query: &'static [(&'static str, &'static str)],
    /// (an earlier endpoint's name, a JSON pointer into its response).
    arg: Option<(&'static str, &'static str)>,
    /// The environment variable holding the token this endpoint needs.
    token: &'static str,
}

const GUMROAD_TOKEN: &str = "GUMROAD_ACCESS_TOKEN";
const GANK_LOGIN: &str = "GANK_LOGIN_TOKEN";
const GANK_CREATOR: &str = "GANK_CREATOR_TOKEN";
const MATON_KEY: &str = "MATON_API_KEY";

const fn ep(
    name: &'static str,
    file: &'static str,
    path: &'static str,
    token: &'static str,
) -> Endpoint {
    Endpoint {
        name,
        file,
        host: Host::Main,
        path,
        query: &[],
        arg: None,
        token,
    }
}

const GUMROAD: &[Endpoint] = &[
    ep("user", "user.json", "/v2/user", GUMROAD_TOKEN),
    ep(
        "products",
        "products_page1.json",
        "/v2/products",
        GUMROAD_TOKEN,
    ),
    Endpoint {
        arg: Some(("products", "/products/0/id")),
        ..ep("product", "product.json", "/v2/products/{}", GUMROAD_TOKEN)
    },
    Endpoint {
        arg: Some(("products", "/products/0/id")),
        ..ep(
            "variant_categories",
            "variant_categories.json",
            "/v2/products/{}/variant_categories",
            GUMROAD_TOKEN,
        )
    },
    Endpoint {
        arg: Some(("products", "/products/0/id")),
        ..ep(
            "offer_codes",
            "offer_codes.json",
            "/v2/products/{}/offer_codes",
            GUMROAD_TOKEN,
        )
    },
    Endpoint {
        arg: Some(("products", "/products/0/id")),
        ..ep(
            "custom_fields",
            "custom_fields.json",
            "/v2/products/{}/custom_fields",
            GUMROAD_TOKEN,
        )
    },
    Endpoint {
        arg: Some(("products", "/products/0/id")),
        query: &[("paginated", "true")],
        ..ep(
            "subscribers",
            "subscribers_page1.json",
            "/v2/products/{}/subscribers",
            GUMROAD_TOKEN,
        )
    },
    Endpoint {
        arg: Some(("subscribers", "/subscribers/0/id")),
        ..ep(
            "subscriber",
            "subscriber.json",
            "/v2/subscribers/{}",
            GUMROAD_TOKEN,
        )
    },
    ep("sales", "sales_page1.json", "/v2/sales", GUMROAD_TOKEN),
    Endpoint {
        arg: Some(("sales", "/sales/0/id")),
        ..ep("sale", "sale.json", "/v2/sales/{}", GUMROAD_TOKEN)
    },
    Endpoint {
        query: &[("resource_name", "sale")],
        ..ep(
            "resource_subscriptions",
            "resource_subscriptions.json",
            "/v2/resource_subscriptions",
            GUMROAD_TOKEN,
        )
    },
    ep(
        "payouts",
        "payouts_page1.json",
        "/v2/payouts",
        GUMROAD_TOKEN,
    ),
    ep(
        "payouts_upcoming",
        "payouts_upcoming.json",
        "/v2/payouts/upcoming",
        GUMROAD_TOKEN,
    ),
];

const GANK: &[Endpoint] = &[
    Endpoint {
        host: Host::GankV1,
        ..ep("users_me", "users_me.json", "/v1/users/me", GANK_LOGIN)
    },
    Endpoint {
        host: Host::GankV1,
        arg: Some(("users_me", "/data/id")),
        ..ep(
            "membership_settings",
            "membership_settings.json",
            "/v1/users/membership-settings-v2/{}",
            GANK_LOGIN,
        )
    },
    Endpoint {
        host: Host::GankV1,
        arg: Some(("users_me", "/data/id")),
        query: &[("userId", "{}"), ("page", "1"), ("per_page", "50")],
        ..ep(
            "listings",
            "listings_page1.json",
            "/v1/catalogs/services",
            GANK_LOGIN,
        )
    },
    ep(
        "webhook_get",
        "webhook_get.json",
        "/auth/external-callback/register",
        GANK_LOGIN,
    ),
    Endpoint {
        query: &[("page", "1"), ("per_page", "20")],
        ..ep(
            "subscribers",
            "subscribers_page1.json",
            "/payment/creator/subscribers",
            GANK_CREATOR,
        )
    },
    ep(
        "subscribers_export",
        "subscribers_export.json",
        "/payment/creator/subscribers/export",
        GANK_CREATOR,
    ),
    Endpoint {
        query: &[
            ("page", "1"),
            ("per_page", "20"),
            ("usecases_client", "WALLET_GANK_EARNING_TX"),
        ],
        ..ep(
            "transactions",
            "transactions_page1.json",
            "/payment/transactions",
            GANK_LOGIN,
        )
    },
];

const MATON: &[Endpoint] = &[
    ep(
        "connections",
        "connections/list.json",
        "/connections",
        MATON_KEY,
    ),
    ep(
        "gumroad_user",
        "gumroad_user.json",
        "/gumroad/v2/user",
        MATON_KEY,
    ),
    ep(
        "gumroad_products",
        "gumroad_products_page1.json",
        "/gumroad/v2/products",
        MATON_KEY,
    ),
];

/// Endpoints that change the account: never recorded, and named here so asking for one gets a clear refusal.
const WRITE_ENDPOINTS: &[&str] = &[
    "product_create",
    "product_update",
    "product_delete",
    "product_enable",
    "product_disable",
    "sale_refund",
    "sale_mark_as_shipped",
    "sale_resend_receipt",
    "license_verify",
    "license_enable",
    "license_disable",
    "license_decrement_uses",
    "license_rotate",
    "offer_code_create",
    "offer_code_update",
    "offer_code_delete",
    "variant_create",
    "variant_update",
    "variant_delete",
    "custom_field_create",
    "custom_field_update",
    "custom_field_delete",
    "resource_subscription_create",
    "resource_subscription_delete",
    "creator_token_mint",
    "webhook_register",
    "webhook_update_events",
    "connection_create",
    "connection_delete",
];

fn table(platform: Platform) -> &'static [Endpoint] {
    match platform {
        Platform::Gumroad => GUMROAD,
        Platform::Gank => GANK,
        Platform::Maton => MATON,
    }
}

/// The names `--only` accepts for a platform.
pub fn endpoint_names(platform: Platform) -> Vec<&'static str> {
    table(platform).iter().map(|e| e.name).collect()
}

/// What happened to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Written to this file.
    Written(PathBuf),
    /// Not recorded, with the reason (e.g. nothing to read an id from).
    Skipped(&'static str, String),
}

/// Records `platform`'s read-only endpoints into `out_dir` (normally
/// `fixtures/<provider>/`). `env` supplies the token variables.
///
/// # Errors
/// A refused or unknown `--only` name, a missing token variable (named), or a
/// failed request (with its error, never the token).
pub async fn record(
    platform: Platform,
    base_url: Option<&str>,
    only: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    out_dir: &Path,
) -> Result<Vec<Recorded>, String> {
    let endpoints: Vec<&Endpoint> = match only {
        Some(name) if WRITE_ENDPOINTS.contains(&name) => {
            return Err(format!(
                "refused: `{name}` is a write endpoint; fixtures record only ever reads from your account"
            ));
        }
        Some(name) => {
            let found: Vec<&Endpoint> = table(platform).iter().filter(|e| e.name == name).collect();
            if found.is_empty() {
                return Err(format!(
                    "no read-only endpoint `{name}` for {}; known: {}",
                    platform.dir(),
                    endpoint_names(platform).join(", ")
                ));
            }
            found
        }
        None => table(platform).iter().collect(),
    };
    // Check every needed variable before sending anything.
    let mut tokens: BTreeMap<&'static str, Secret> = BTreeMap::new();
    for e in &endpoints {
        if !tokens.contains_key(e.token) {
            let value = env(e.token)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    format!(
                        "{} is not set: export it with your own token to record {}",
                        e.token,
                        platform.dir()
                    )
                })?;
            tokens.insert(e.token, Secret::new(value.trim()));
        }
    }
    let (main_default, v1_default, provider) = match platform {
        Platform::Gumroad => ("https://api.gumroad.com", "", Provider::Gumroad),
        Platform::Gank => (
            "https://api-v2.ganknow.com",
            "https://api.ganknow.com",
            Provider::Gank,
        ),
        Platform::Maton => ("https://api.maton.ai", "", Provider::Maton),
    };
    let build = |url: &str| {
        Transport::builder(provider, url)
            .user_agent(concat!(
                "creator-commerce-xtask/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| e.to_string())
    };
    let main = build(base_url.unwrap_or(main_default))?;
    let v1 = if v1_default.is_empty() {
        main.clone()
    } else {
        build(base_url.unwrap_or(v1_default))?
    };

    let mut responses: BTreeMap<&'static str, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for e in endpoints {
        let arg = match e.arg {
            None => None,
            Some((from, pointer)) => {
                let found = responses
                    .get(from)
                    .and_then(|v| v.pointer(pointer))
                    .and_then(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    });
                match found {
                    Some(a) => Some(a),
                    None if only.is_some() => {
                        return Err(format!(
                            "`{}` needs an id from `{from}`; record without --only",
                            e.name
                        ));
                    }
                    None => {
                        results.push(Recorded::Skipped(
                            e.name,
                            format!("no {from} to take an id from"),
                        ));
                        continue;
                    }
                }
            }
        };
        let fill = |s: &str| match &arg {
            Some(a) => s.replace("{}", a),
            None => s.to_owned(),
        };
        let path = match &arg {
            Some(a) => creator_core::http::Path::new(e.path, &[a.as_str()]),
            None => creator_core::http::Path::fixed(e.path),
        };
        let transport = if e.host == Host::GankV1 { &v1 } else { &main };
        let token = tokens.get(e.token).ok_or("token table out of sync")?;
        // Ids are percent-encoded as one path segment; requests are GET only.
        let response = transport
            .get(path)
            .query_pairs(e.query.iter().map(|(k, v)| (k.to_string(), fill(v))))
            .auth(Auth::bearer(token.clone()))
            .send()
            .await
            .map_err(|err| format!("{}: {err}", e.name))?;
        if let Ok(v) = serde_json::from_slice::<Value>(&response.body) {
            if v.get("success") == Some(&Value::Bool(false)) {
                return Err(format!(
                    "{}: the platform answered success:false: {}",
                    e.name,
                    String::from_utf8_lossy(&response.body)
                ));
            }
            responses.insert(e.name, v);
        }
        let body = scrub(&response.body, token.expose());
        let redacted = redact::redact_json_bytes(&body).unwrap_or(body);
        let file = out_dir.join(e.file);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| format!("{}: {err}", parent.display()))?;
        }
        std::fs::write(&file, &redacted).map_err(|err| format!("{}: {err}", file.display()))?;
        results.push(Recorded::Written(file));
    }
    Ok(results)
}

/// Replaces every occurrence of the token in a body with a placeholder.
fn scrub(body: &[u8], token: &str) -> Vec<u8> {
    if token.is_empty() {
        return body.to_vec();
    }
    let text = String::from_utf8_lossy(body);
    if !text.contains(token) {
        return body.to_vec();
    }
    text.replace(token, &redact::placeholder(redact::Kind::Token, token))
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::{any, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const TOKEN: &str = "gum_live_TOKEN_0123456789abcdef";

    fn env_with(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-record-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    async fn json(server: &MockServer, p: &str, body: &str) {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json"),
            )
            .mount(server)
            .await;
    }

    #[tokio::test]
    async fn gumroad_records_every_read_endpoint_redacted_with_gets_only() {
        let server = MockServer::start().await;
        json(&server, "/v2/user", &format!(r#"{{"success":true,"user":{{"name":"Sahil Lavingia","email":"sahil@gumroad.com","user_id":"G_-mnBf9b1j9A7a4ub4nFQ==","echo":"{TOKEN}"}}}}"#)).await;
        json(
            &server,
            "/v2/products",
            r#"{"success":true,"products":[{"id":"P1==","name":"Pencil","price":100}]}"#,
        )
        .await;
        json(
            &server,
            "/v2/products/P1==",
            r#"{"success":true,"product":{"id":"P1==","name":"Pencil","price":100}}"#,
        )
        .await;
        json(
            &server,
            "/v2/products/P1==/variant_categories",
            r#"{"success":true,"variant_categories":[]}"#,
        )
        .await;
        json(
            &server,
            "/v2/products/P1==/offer_codes",
            r#"{"success":true,"offer_codes":[]}"#,
        )
        .await;
        json(
            &server,
            "/v2/products/P1==/custom_fields",
            r#"{"success":true,"custom_fields":[]}"#,
        )
        .await;
        json(
            &server,
            "/v2/products/P1==/subscribers",
            r#"{"success":true,"subscribers":[]}"#,
        )
        .await;
        json(&server, "/v2/sales", r#"{"success":true,"sales":[{"id":"S1==","email":"buyer@gmail.com","full_name":"Jane Buyer","license_key":"85DB562A-C11D4B06-A2335A6B-8C079166","ip_country":"Germany","price":1000}]}"#).await;
        json(
            &server,
            "/v2/sales/S1==",
            r#"{"success":true,"sale":{"id":"S1==","email":"buyer@gmail.com","price":1000}}"#,
        )
        .await;
        json(&server, "/v2/resource_subscriptions", r#"{"success":true,"resource_subscriptions":[{"id":"R==","resource_name":"sale","post_url":"https://hooks.example.com/x"}]}"#).await;
        json(&server, "/v2/payouts", r#"{"success":true,"payouts":[{"id":null,"amount":"150.00","currency":"USD","paypal_email":"me@paypal-user.net"}]}"#).await;
        json(
            &server,
            "/v2/payouts/upcoming",
            r#"{"success":true,"payouts":[]}"#,
        )
        .await;
        let out = tmp("gumroad");
        let results = record(
            Platform::Gumroad,
            Some(&server.uri()),
            None,
            &env_with(&[(GUMROAD_TOKEN, TOKEN)]),
            &out,
        )
        .await
        .unwrap();
        let written = results
            .iter()
            .filter(|r| matches!(r, Recorded::Written(_)))
            .count();
        let skipped: Vec<_> = results
            .iter()
            .filter(|r| matches!(r, Recorded::Skipped(..)))
            .collect();
        assert_eq!(written, GUMROAD.len() - 1, "{results:?}");
        assert!(
            matches!(skipped[..], [Recorded::Skipped("subscriber", _)]),
            "no subscriber id to follow: {skipped:?}"
        );

        let requests = server.received_requests().await.unwrap();
        assert!(
            requests.iter().all(|r| r.method.as_str() == "GET"),
            "recording only ever reads"
        );
        for r in &requests {
            assert_eq!(
                r.headers.get("authorization").unwrap(),
                &format!("Bearer {TOKEN}")[..]
            );
            assert!(!r.url.as_str().contains(TOKEN), "token in URL {}", r.url);
        }
        let sub_req = requests
            .iter()
            .find(|r| r.url.path().ends_with("/subscribers"))
            .unwrap();
        assert_eq!(sub_req.url.query(), Some("paginated=true"));

        // Every sensitive field redacted, shape and types kept, nothing left for the scanner.
        for file in crate::scan::files_under(&out) {
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                crate::scan::scan(&file, &bytes).is_empty(),
                "{}",
                file.display()
            );
            let text = String::from_utf8(bytes).unwrap();
            for secret in [
                TOKEN,
                "sahil@gumroad.com",
                "Sahil Lavingia",
                "buyer@gmail.com",
                "Jane Buyer",
                "85DB562A",
                "Germany",
                "me@paypal-user.net",
            ] {
                assert!(
                    !text.contains(secret),
                    "{secret} left in {}",
                    file.display()
                );
            }
        }
        let sales: Value =
            serde_json::from_slice(&std::fs::read(out.join("sales_page1.json")).unwrap()).unwrap();
        assert_eq!(sales["sales"][0]["price"], 1000);
        assert_eq!(sales["sales"][0]["id"], "S1==");
        let key = sales["sales"][0]["license_key"].as_str().unwrap();
        assert!(
            key.starts_with(redact::LICENSE_PLACEHOLDER_PREFIX) && key.len() == 35,
            "{key}"
        );
        // Stable placeholders: recording again gives the same bytes.
        let before = std::fs::read(out.join("sales_page1.json")).unwrap();
        record(
            Platform::Gumroad,
            Some(&server.uri()),
            Some("sales"),
            &env_with(&[(GUMROAD_TOKEN, TOKEN)]),
            &out,
        )
        .await
        .unwrap();
        assert_eq!(std::fs::read(out.join("sales_page1.json")).unwrap(), before);
        let _ = std::fs::remove_dir_all(&out);
    }

    #[tokio::test]
    async fn write_endpoints_are_refused_before_any_request() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        for (platform, name) in [
            (Platform::Gumroad, "sale_refund"),
            (Platform::Gank, "creator_token_mint"),
            (Platform::Maton, "connection_create"),
        ] {
            let err = record(
                platform,
                Some(&server.uri()),
                Some(name),
                &|_| Some("t".into()),
                &tmp("refuse"),
            )
            .await
            .unwrap_err();
            assert!(
                err.contains("refused") && err.contains("write endpoint"),
                "{err}"
            );
        }
        let err = record(
            Platform::Gumroad,
            Some(&server.uri()),
            Some("nope"),
            &|_| Some("t".into()),
            &tmp("refuse"),
        )
        .await
        .unwrap_err();
        assert!(err.contains("known: user, products"), "{err}");
        assert!(server.received_requests().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_missing_credential_names_the_variable() {
        let err = record(
            Platform::Gumroad,
            Some("http://127.0.0.1:9"),
            None,
            &|_| None,
            &tmp("missing"),
        )
        .await
        .unwrap_err();
        assert!(err.starts_with("GUMROAD_ACCESS_TOKEN is not set"), "{err}");
        let err = record(
            Platform::Gank,
            Some("http://127.0.0.1:9"),
            Some("subscribers"),
            &env_with(&[(GANK_LOGIN, "x")]),
            &tmp("missing"),
        )
        .await
        .unwrap_err();
        assert!(err.starts_with("GANK_CREATOR_TOKEN is not set"), "{err}");
        let err = record(
            Platform::Maton,
            None,
            None,
            &|_| Some("  ".into()),
            &tmp("missing"),
        )
        .await
        .unwrap_err();
        assert!(err.starts_with("MATON_API_KEY is not set"), "{err}");
    }

    #[tokio::test]
    async fn gank_uses_the_right_token_per_endpoint_and_redacts_key_and_nicknames() {
        let server = MockServer::start().await;
        json(&server, "/v1/users/me", r#"{"data":{"id":"fba1aaba-ffb5-42ae-8571-6ec0eb337802","email":"creator@gmail.com","nickname":"realname"}}"#).await;
        json(
            &server,
            "/v1/users/membership-settings-v2/fba1aaba-ffb5-42ae-8571-6ec0eb337802",
            r#"{"data":[]}"#,
        )
        .await;
        Mock::given(method("GET"))
            .and(path("/v1/catalogs/services"))
            .and(query_param(
                "userId",
                "fba1aaba-ffb5-42ae-8571-6ec0eb337802",
            ))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(r#"{"data":[]}"#, "application/json"),
            )
            .mount(&server)
            .await;
        json(&server, "/auth/external-callback/register", r#"{"id":"7c2e9f41-3b8d-4a6e-9f0c-5d1b2a7e8c34","key":"b8f3c1d9e2a74f6081c5d3e9a7b2f4c6e1d8a3b5c7f9e2d4a6b8c0e1f3a5d7b9","events":[]}"#).await;
        json(
            &server,
            "/payment/creator/subscribers",
            r#"{"data":[{"supporter_user_id":"u1","supporter_nickname":"Bob Real"}],"total":1}"#,
        )
        .await;
        json(
            &server,
            "/payment/creator/subscribers/export",
            r#"{"data":[],"total":0}"#,
        )
        .await;
        json(&server, "/payment/transactions", r#"{"data":[]}"#).await;
        let out = tmp("gank");
        let env = env_with(&[
            (GANK_LOGIN, "login.jwt.value"),
            (GANK_CREATOR, "creator.jwt.value"),
        ]);
        let results = record(Platform::Gank, Some(&server.uri()), None, &env, &out)
            .await
            .unwrap();
        assert_eq!(results.len(), GANK.len());
        for r in server.received_requests().await.unwrap() {
            let auth = r
                .headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let want = if r.url.path().starts_with("/payment/creator") {
                "Bearer creator.jwt.value"
            } else {
                "Bearer login.jwt.value"
            };
            assert_eq!(auth, want, "{}", r.url.path());
        }
        let hook = std::fs::read_to_string(out.join("webhook_get.json")).unwrap();
        assert!(
            hook.contains("\"key\":\"redacted-token-") && hook.contains("7c2e9f41"),
            "{hook}"
        );
        let subs = std::fs::read_to_string(out.join("subscribers_page1.json")).unwrap();
        assert!(
            !subs.contains("Bob Real") && subs.contains("\"total\":1"),
            "{subs}"
        );
        let _ = std::fs::remove_dir_all(&out);
    }

    #[tokio::test]
    async fn maton_records_the_control_plane_and_gumroad_through_the_gateway() {
        let server = MockServer::start().await;
        json(
            &server,
            "/connections",
            r#"{"connections":[{"connection_id":"c1","app":"gumroad","status":"ACTIVE"}]}"#,
        )
        .await;
        json(
            &server,
            "/gumroad/v2/user",
            r#"{"success":true,"user":{"email":"owner@gmail.com"}}"#,
        )
        .await;
        json(
            &server,
            "/gumroad/v2/products",
            r#"{"success":true,"products":[]}"#,
        )
        .await;
        let out = tmp("maton");
        let results = record(
            Platform::Maton,
            Some(&server.uri()),
            None,
            &env_with(&[(MATON_KEY, "maton_key_123")]),
            &out,
        )
        .await
        .unwrap();
        assert_eq!(results.len(), 3);
        assert!(out.join("connections/list.json").exists());
        assert!(
            !std::fs::read_to_string(out.join("gumroad_user.json"))
                .unwrap()
                .contains("owner@gmail.com")
        );
        let _ = std::fs::remove_dir_all(&out);
    }
}
