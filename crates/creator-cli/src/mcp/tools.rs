//! The tool catalog (names, descriptions, input schemas, hints) and the
//! dispatch of a call to its handler.

use std::sync::Arc;

use rmcp::handler::server::common::schema_for_type;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::State;
use super::params::*;
use super::writes::{LicenseAction, SaleAction};
use super::{reads, writes};
use crate::CliError;

/// What a tool does to the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Reads only.
    Read,
    /// Changes something; undoable or harmless to repeat.
    Write,
    /// Changes something that cannot simply be undone (a refund, a rotated key).
    Destructive,
}

fn tool<P: JsonSchema + 'static>(
    name: &'static str,
    description: impl Into<std::borrow::Cow<'static, str>>,
    effect: Effect,
) -> Tool {
    let schema: Arc<JsonObject> = schema_for_type::<P>();
    let hints = ToolAnnotations::new()
        .read_only(effect == Effect::Read)
        .destructive(effect == Effect::Destructive)
        .idempotent(effect == Effect::Read)
        .open_world(true);
    Tool::new(name, description, schema).with_annotations(hints)
}

const WRITE_NOTE: &str = " A dry run unless `confirm` is true: it returns the exact request (secrets redacted) and sends nothing. Every call needs an `idempotency_key`; a retried call with the same key returns the first result instead of acting again.";

/// Every tool `creator mcp` serves.
pub fn catalog() -> Vec<Tool> {
    use Effect::*;
    let w = |text: &str| format!("{text}{WRITE_NOTE}");
    vec![
        tool::<ProductsParams>(
            "products_list",
            "List products (Gumroad products, Gank listings and membership tiers).",
            Read,
        ),
        tool::<SalesParams>(
            "sales_list",
            "List sales (Gumroad sales, Gank transactions), newest first, with optional product, email and day filters.",
            Read,
        ),
        tool::<SaleParams>(
            "sale_get",
            "One sale (Gumroad) or transaction (Gank) by id.",
            Read,
        ),
        tool::<SubscribersParams>(
            "subscribers_list",
            "List subscribers (Gumroad subscribers, Gank members), optionally only active ones, of one product, or one email.",
            Read,
        ),
        tool::<VerifyParams>(
            "license_verify",
            "Check a Gumroad license key: whether it grants access now and why not (refunded, charged back, subscription ended, …). Does not count as a use unless asked.",
            Read,
        ),
        tool::<PayoutsParams>(
            "payouts_list",
            "List Gumroad payouts, newest first (the upcoming one first unless turned off). Gumroad directly or through Maton; Gank has none.",
            Read,
        ),
        tool::<EventsParams>(
            "ledger_events",
            "List the webhook events the relay stored in its ledger (`--db`), oldest first. Gumroad through Maton delivers as gumroad.",
            Read,
        ),
        tool::<RefundParams>(
            "sale_refund",
            w(
                "Refund a Gumroad sale in full, or partly with `amount` in major units of the sale's currency (checked against what is left to refund).",
            ),
            Destructive,
        ),
        tool::<SaleWriteParams>(
            "sale_resend_receipt",
            w("Email a Gumroad sale's receipt to the buyer again."),
            Write,
        ),
        tool::<SaleWriteParams>(
            "sale_revoke_access",
            w("Revoke a Gumroad buyer's access to the content, without a refund."),
            Destructive,
        ),
        tool::<SaleWriteParams>(
            "sale_restore_access",
            w("Restore a Gumroad buyer's revoked access."),
            Write,
        ),
        tool::<ShipParams>(
            "sale_mark_shipped",
            w("Mark a Gumroad sale as shipped, with an optional tracking URL."),
            Write,
        ),
        tool::<LicenseWriteParams>("license_enable", w("Enable a Gumroad license key."), Write),
        tool::<LicenseWriteParams>(
            "license_disable",
            w("Disable a Gumroad license key: it stops validating."),
            Destructive,
        ),
        tool::<LicenseWriteParams>(
            "license_rotate",
            w(
                "Rotate a Gumroad license key: a new key is issued (in the result) and the old one stops validating.",
            ),
            Destructive,
        ),
        tool::<LicenseWriteParams>(
            "license_decrement_uses",
            w("Take one off a Gumroad license key's use count."),
            Write,
        ),
    ]
}

fn parse<P: DeserializeOwned>(tool: &str, args: Value) -> Result<P, CliError> {
    serde_json::from_value(args).map_err(|e| CliError::Usage(format!("{tool}: bad arguments: {e}")))
}

/// Runs tool `name`; `None` when there is no such tool.
pub async fn call(state: &State, name: &str, args: Value) -> Option<Result<Value, CliError>> {
    macro_rules! run {
        ($handler:expr) => {
            match parse(name, args) {
                Ok(p) => $handler(p).await,
                Err(e) => Err(e),
            }
        };
    }
    Some(match name {
        "products_list" => run!(|p| reads::products(state, p)),
        "sales_list" => run!(|p| reads::sales(state, p)),
        "sale_get" => run!(|p| reads::sale(state, p)),
        "subscribers_list" => run!(|p| reads::subscribers(state, p)),
        "license_verify" => run!(|p| reads::license(state, p)),
        "payouts_list" => run!(|p| reads::payouts(state, p)),
        "ledger_events" => run!(|p| reads::events(state, p)),
        "sale_refund" => run!(|p| writes::refund(state, p)),
        "sale_resend_receipt" => run!(|p| writes::sale(state, SaleAction::ResendReceipt, p)),
        "sale_revoke_access" => run!(|p| writes::sale(state, SaleAction::RevokeAccess, p)),
        "sale_restore_access" => run!(|p| writes::sale(state, SaleAction::RestoreAccess, p)),
        "sale_mark_shipped" => run!(|p| writes::ship(state, p)),
        "license_enable" => run!(|p| writes::license(state, LicenseAction::Enable, p)),
        "license_disable" => run!(|p| writes::license(state, LicenseAction::Disable, p)),
        "license_rotate" => run!(|p| writes::license(state, LicenseAction::Rotate, p)),
        "license_decrement_uses" => {
            run!(|p| writes::license(state, LicenseAction::DecrementUses, p))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tool in the catalog has a handler (its bad arguments are a
    /// usage error, before any request), and an unknown name has none.
    #[tokio::test]
    async fn every_listed_tool_is_dispatched_and_others_are_not() {
        let dir = std::env::temp_dir().join(format!("creator-mcp-tools-{}", std::process::id()));
        let state = State {
            provider: crate::providers::ProviderArgs {
                provider: crate::providers::ProviderName::Gumroad,
                gumroad_url: Some("http://127.0.0.1:9".into()),
                gank_v1_url: None,
                gank_v2_url: None,
                maton_url: None,
                maton_connection: None,
            },
            db: dir.join("none.db").display().to_string(),
            keys: super::super::keys::Keys::in_dir(dir),
            tools: catalog(),
        };
        assert_eq!(state.tools.len(), 16);
        for tool in &state.tools {
            let outcome = call(
                &state,
                &tool.name,
                serde_json::json!({"not_an_argument": 1}),
            )
            .await;
            match outcome {
                Some(Err(CliError::Usage(m))) => assert!(m.contains("unknown field"), "{m}"),
                other => panic!("{}: {other:?}", tool.name),
            }
            let schema = serde_json::Value::Object((*tool.input_schema).clone());
            assert_eq!(
                schema["additionalProperties"],
                serde_json::json!(false),
                "{}",
                tool.name
            );
        }
        assert!(
            call(&state, "sales_refund", serde_json::json!({}))
                .await
                .is_none()
        );
    }
}
