//! Gumroad: the token, its `view_sales` scope, each resource subscription,
//! and the Ping URL the API cannot show.
//!
//! What the platform code says (antiwork/gumroad,
//! `app/controllers/api/v2/resource_subscriptions_controller.rb`): listing,
//! creating and deleting resource subscriptions all need `view_sales`
//! (`doorkeeper_authorize! :view_sales`, plus `account` on newer servers). A
//! missing or revoked token is an empty HTTP 401, a token without the scope
//! an empty HTTP 403 (the official CLI reads them the same way:
//! `internal/api/errors.go`, "Check that your token has the required
//! scope"). No `/v2` endpoint lists a token's scopes, so a scope is known
//! only by a call that needs it: the doctor makes exactly the calls the
//! relay's wiring needs. What it cannot know is named as
//! [`Status::Unknown`]: the seller's Ping URL (a settings page, not in the
//! API), and which OAuth application created each subscription (Gumroad
//! delivers one only while its own application keeps an unrevoked token
//! with `view_sales`; the list shows every application's).

use creator_core::{Error, Secret};
use gumroad_api::{GumroadClient, GumroadEventName, ResourceSubscription};
use serde::Serialize;

use super::{Check, Status, Wiring, said, shown_url};

/// The Gumroad subscription changes `--fix` would make.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// Resources to subscribe this relay's URL to.
    pub subscribe: Vec<String>,
    /// Subscriptions to remove.
    pub remove: Vec<Removal>,
    /// The URL to subscribe (carries the URL secret: never serialized).
    #[serde(skip)]
    pub url: Option<String>,
    /// The URL as shown.
    pub shown_url: Option<String>,
}

impl Plan {
    /// True when there is nothing to change.
    pub fn is_empty(&self) -> bool {
        self.subscribe.is_empty() && self.remove.is_empty()
    }

    /// One line per change, as announced before anything is sent.
    pub fn lines(&self) -> Vec<String> {
        let shown = self.shown_url.as_deref().unwrap_or("");
        let mut out: Vec<String> = self
            .subscribe
            .iter()
            .map(|r| format!("subscribe {r} to {shown} (PUT /v2/resource_subscriptions)"))
            .collect();
        out.extend(self.remove.iter().map(|r| {
            format!(
                "remove the {} subscription {} to {} ({}; DELETE /v2/resource_subscriptions/{})",
                r.resource, r.id, r.shown_url, r.why, r.id
            )
        }));
        out
    }
}

/// A subscription `--fix` would remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    /// Its id.
    pub id: String,
    /// Its resource name.
    pub resource: String,
    /// Its URL as shown.
    pub shown_url: String,
    /// `duplicate` or `old URL`.
    pub why: &'static str,
}

const TOKEN_FIX: &str = "generate a new token in Gumroad (Settings > Advanced > Applications > Generate access token) and export GUMROAD_ACCESS_TOKEN=… (or `creator auth login --provider gumroad`)";

/// Checks the token, the scope and every resource subscription, and plans
/// what `--fix` would change.
pub async fn check(client: &GumroadClient, wiring: &Wiring) -> (Vec<Check>, Plan) {
    let mut checks = Vec::new();
    let mut plan = Plan::default();
    match client.user().get().await {
        Ok(user) => checks.push(Check::ok(
            "gumroad.token",
            format!(
                "accepted by GET /v2/user (account {})",
                user.name
                    .or(user.display_name)
                    .unwrap_or_else(|| "without a name".into())
            ),
        )),
        Err(e) => {
            let fix = match e {
                Error::Unauthorized { .. } | Error::Forbidden { .. } => TOKEN_FIX.to_owned(),
                _ => "check the network and GUMROAD_API_URL, then run the doctor again".to_owned(),
            };
            checks.push(Check::problem("gumroad.token", said(&e), fix));
            return (checks, plan);
        }
    }
    let secrets = [wiring.gumroad_secret.as_ref()];
    let expected = wiring.endpoint_url("gumroad", wiring.gumroad_secret.as_ref());
    plan.url.clone_from(&expected);
    plan.shown_url = expected.as_deref().map(|u| shown_url(u, &secrets));
    let ours = crate::relay::webhook_path("gumroad", None);
    let mut scope_checked = false;
    for resource in GumroadEventName::ALL {
        let name = format!("gumroad.subscription.{}", resource.as_str());
        let subs = match client.resource_subscriptions().list(&resource).await {
            Ok(subs) => subs,
            Err(Error::Forbidden { .. }) => {
                checks.push(Check::problem(
                    "gumroad.scopes",
                    "the token lacks view_sales: GET /v2/resource_subscriptions answered HTTP 403 (the relay's subscriptions need it, and Gumroad stops delivering them when the subscribing application's token loses it)",
                    format!("generate a token with the view_sales scope; {TOKEN_FIX}"),
                ));
                return (checks, plan);
            }
            Err(e) => {
                checks.push(Check::problem(
                    name,
                    format!("could not list the subscriptions: {}", said(&e)),
                    "check the network and GUMROAD_API_URL, then run the doctor again",
                ));
                continue;
            }
        };
        if !scope_checked {
            scope_checked = true;
            checks.push(Check::ok(
                "gumroad.scopes",
                "view_sales accepted (GET /v2/resource_subscriptions answered): the scope the relay's subscriptions need; Gumroad's API lists no token's scopes, so others show only when a call needing them is refused with HTTP 403",
            ));
        }
        checks.push(one_resource(
            name,
            &resource,
            &subs,
            expected.as_deref(),
            &ours,
            &secrets,
            &mut plan,
        ));
    }
    checks.push(Check::unknown(
        "gumroad.subscription_owner",
        "which OAuth application created each subscription is not in Gumroad's API: a subscription fires only while its own application keeps an unrevoked token with view_sales",
        "do not revoke the token (or the application) the subscriptions were made with; `--fix` can only remove subscriptions made by this token's application",
    ));
    checks.push(Check::unknown(
        "gumroad.ping_url",
        "the seller's Ping URL (Settings > Advanced > Ping) is not in Gumroad's API: it cannot be checked",
        "open Gumroad's Settings > Advanced: leave Ping empty or set it to this relay's Gumroad URL (sale deliveries then arrive twice and are stored once); an old URL there loses nothing but gets every sale",
    ));
    (checks, plan)
}

/// The check of one resource's subscriptions, adding its fixes to `plan`.
fn one_resource(
    name: String,
    resource: &GumroadEventName,
    subs: &[ResourceSubscription],
    expected: Option<&str>,
    ours: &str,
    secrets: &[Option<&Secret>],
    plan: &mut Plan,
) -> Check {
    let r = resource.as_str();
    let url_of = |s: &ResourceSubscription| s.post_url.clone().unwrap_or_default();
    let shown_url = |url: &str, secrets: &[Option<&Secret>]| shown_subscription(url, ours, secrets);
    let Some(expected) = expected else {
        let shown: Vec<String> = subs
            .iter()
            .map(|s| shown_url(&url_of(s), secrets))
            .collect();
        return Check::warning(
            name,
            format!(
                "{} subscription(s) ({}); without --url the doctor cannot tell which is this relay's",
                subs.len(),
                if shown.is_empty() {
                    "none".to_owned()
                } else {
                    shown.join(", ")
                }
            ),
            "run again with --url https://<the relay's public host>",
        );
    };
    let mut current = Vec::new();
    let mut old = Vec::new();
    let mut others = 0;
    for s in subs {
        let url = url_of(s);
        if same_url(&url, expected) {
            current.push(s);
        } else if is_relay_path(&url, ours) {
            old.push(s);
        } else {
            others += 1;
        }
    }
    let mut notes = Vec::new();
    for extra in current.iter().skip(1) {
        plan.remove.push(Removal {
            id: extra.id.clone(),
            resource: r.to_owned(),
            shown_url: shown_url(&url_of(extra), secrets),
            why: "duplicate",
        });
    }
    for s in &old {
        plan.remove.push(Removal {
            id: s.id.clone(),
            resource: r.to_owned(),
            shown_url: shown_url(&url_of(s), secrets),
            why: "old URL",
        });
    }
    if others > 0 {
        notes.push(format!(
            "{others} subscription(s) to other URLs (other integrations) left alone"
        ));
    }
    if current.is_empty() {
        plan.subscribe.push(r.to_owned());
    }
    let shown = shown_url(expected, secrets);
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!("; {}", notes.join("; "))
    };
    let fix = format!(
        "`creator doctor --url … --fix` (or `creator webhooks subscribe --event {r} --url {shown}`)"
    );
    match (current.len(), old.len()) {
        (0, 0) => Check::problem(
            name,
            format!("not subscribed to this relay ({shown}): {r} events are not delivered{notes}"),
            fix,
        ),
        (0, n) => Check::problem(
            name,
            format!(
                "subscribed only to {n} old relay URL(s) ({}), not to {shown}: {r} events go elsewhere{notes}",
                old.iter()
                    .map(|s| shown_url(&url_of(s), secrets))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            fix,
        ),
        (1, 0) => Check::ok(name, format!("subscribed once to {shown}{notes}")),
        (n, o) => {
            let mut what = Vec::new();
            if n > 1 {
                what.push(format!(
                    "subscribed {n} times to {shown}: each event is sent {n} times (stored once)"
                ));
            }
            if o > 0 {
                what.push(format!(
                    "also subscribed to {o} old relay URL(s) ({})",
                    old.iter()
                        .map(|s| shown_url(&url_of(s), secrets))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Check::warning(
                name,
                format!("{}{notes}", what.join("; ")),
                "`creator doctor --url … --fix` removes the extra subscriptions (or `creator webhooks delete ID`)",
            )
        }
    }
}

/// A subscription's URL as shown: an old relay URL's secret segment is
/// hidden as `<old secret>` (it may still be someone's valid secret).
fn shown_subscription(url: &str, ours: &str, secrets: &[Option<&Secret>]) -> String {
    let shown = shown_url(url, secrets);
    let prefix = format!("{ours}/");
    match url::Url::parse(&shown) {
        Ok(mut u) if u.path().starts_with(&prefix) && !u.path().contains("%3Csecret%3E") => {
            u.set_path(&format!("{prefix}<old secret>"));
            u.to_string()
                .replace("%3Cold%20secret%3E", "<old secret>")
                .replace("%3Cuser%3E:%3Cpassword%3E@", "<user>:<password>@")
        }
        _ => shown,
    }
}

/// The URL without credentials and a trailing slash, for comparing.
fn normalized(url: &str) -> Option<String> {
    let mut u = url::Url::parse(url.trim()).ok()?;
    let _ = u.set_username("");
    let _ = u.set_password(None);
    Some(u.as_str().trim_end_matches('/').to_owned())
}

fn same_url(a: &str, b: &str) -> bool {
    matches!((normalized(a), normalized(b)), (Some(x), Some(y)) if x == y)
}

/// A URL under this relay's Gumroad path (another host or secret: an old
/// URL of this relay, or of a relay before it).
fn is_relay_path(url: &str, ours: &str) -> bool {
    url::Url::parse(url.trim()).is_ok_and(|u| {
        let path = u.path().trim_end_matches('/');
        path == ours || path.starts_with(&format!("{ours}/"))
    })
}

/// Makes the changes of `plan`, announcing each on `say` before it is
/// sent, and returns one check per change with its outcome.
pub async fn apply(client: &GumroadClient, plan: &Plan, mut say: impl FnMut(&str)) -> Vec<Check> {
    let mut out = Vec::new();
    let lines = plan.lines();
    let mut lines = lines.iter();
    if let Some(url) = &plan.url {
        for r in &plan.subscribe {
            if let Some(line) = lines.next() {
                say(line);
            }
            let name = format!("gumroad.fix.subscribe.{r}");
            let resource = GumroadEventName::from(r.as_str());
            out.push(
                match client.resource_subscriptions().create(&resource, url).await {
                    Ok(sub) => Check::ok(name, format!("subscribed {r} (id {})", sub.id)),
                    Err(e) => Check::problem(
                        name,
                        format!("could not subscribe {r}: {}", said(&e)),
                        "fix the cause above and run `creator doctor --fix` again",
                    ),
                },
            );
        }
    }
    for removal in &plan.remove {
        if let Some(line) = lines.next() {
            say(line);
        }
        let name = format!("gumroad.fix.remove.{}", removal.id);
        out.push(
            match client.resource_subscriptions().delete(&removal.id).await {
                Ok(_) => Check::ok(
                    name,
                    format!("removed the {} subscription {}", removal.resource, removal.id),
                ),
                Err(e) => Check::new(
                    name,
                    Status::Problem,
                    format!("could not remove {}: {}", removal.id, said(&e)),
                    Some(
                        "Gumroad removes only subscriptions made by the same OAuth application: remove it with the token that made it",
                    ),
                ),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_compare_without_credentials_and_trailing_slash() {
        assert!(same_url(
            "https://u:p@h.example/webhooks/gumroad/s/",
            "https://h.example/webhooks/gumroad/s"
        ));
        assert!(!same_url(
            "https://h.example/webhooks/gumroad/old",
            "https://h.example/webhooks/gumroad/s"
        ));
        assert!(is_relay_path(
            "https://old.example/webhooks/gumroad/x",
            "/webhooks/gumroad"
        ));
        assert!(!is_relay_path(
            "https://zapier.com/hooks/1",
            "/webhooks/gumroad"
        ));
        assert!(!is_relay_path(
            "https://h.example/webhooks/gumroadx",
            "/webhooks/gumroad"
        ));
    }
}
