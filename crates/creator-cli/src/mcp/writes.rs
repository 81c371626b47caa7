//! The write tools. Each runs through the CLI's one write mechanism
//! ([`crate::write::perform`], on [`creator_core::http::observe`]): without
//! `confirm: true` it is a dry run that returns the exact requests (secrets
//! redacted) and sends none; with it, the call claims its idempotency key
//! first ([`super::keys`]), so a retried call never acts twice.

use std::future::Future;

use gumroad_api::{GumroadClient, Refund, Sale};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::State;
use super::keys::{Claim, MAX_KEY_LEN};
use super::params::{Guarded, LicenseWriteParams, RefundParams, SaleWriteParams, ShipParams};
use crate::CliError;
use crate::commands::money::{partial_refund, sale_currency};
use crate::error::{Credentials, provider_error};
use crate::providers::{ProviderName, gumroad_client};
use crate::write::{Care, Outcome, WriteArgs, dry_run_requests, perform};

/// The Gumroad client of a write (`gumroad`, or Gumroad through `maton`).
fn client(state: &State, params: &impl Guarded) -> Result<(GumroadClient, Credentials), CliError> {
    let args = state.provider_args(params.provider());
    if args.provider == ProviderName::Gank {
        return Err(CliError::NotAvailable(
            "Gank's API has no sale or license writes: use provider gumroad or maton".into(),
        ));
    }
    gumroad_client(&args)
}

fn checked_key(key: &str) -> Result<&str, CliError> {
    let key = key.trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN || key.chars().any(char::is_control) {
        return Err(CliError::Usage(format!(
            "idempotency_key must be 1 to {MAX_KEY_LEN} printable characters (a UUID is a good key)"
        )));
    }
    Ok(key)
}

/// The call a key stands for: the tool, the profile, the provider used and
/// every argument but `confirm` and the key itself, hashed.
fn fingerprint(state: &State, tool: &str, params: &(impl Guarded + Serialize)) -> String {
    let mut args = serde_json::to_value(params).unwrap_or(Value::Null);
    if let Some(map) = args.as_object_mut() {
        map.remove("confirm");
        map.remove("idempotency_key");
        map.remove("provider");
    }
    let provider = state.provider_args(params.provider()).provider.as_str();
    let mut hash = Sha256::new();
    for part in [tool, &crate::auth::profile(), provider, &args.to_string()] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    crate::hex::lower(&hash.finalize())
}

/// True when the request may have reached the platform without a readable
/// answer: a retry could act twice, so the key is kept as unknown.
fn may_have_acted(error: &CliError) -> bool {
    use creator_core::Error as E;
    match error {
        CliError::Provider { source, .. } => matches!(
            **source,
            E::Transport { .. } | E::Timeout { .. } | E::Decode { .. }
        ),
        _ => false,
    }
}

/// Runs one write tool: a dry run without `confirm`, else once per key.
async fn guarded<F>(
    state: &State,
    tool: &str,
    params: &(impl Guarded + Serialize),
    write: F,
) -> Result<Value, CliError>
where
    F: Future<Output = Result<Value, CliError>>,
{
    let key = checked_key(params.idempotency_key())?;
    if !params.confirm() {
        let dry = WriteArgs {
            dry_run: true,
            yes: true,
            no_input: true,
        };
        let held = match perform(&dry, Care::Plain, write).await? {
            Outcome::DryRun(held) => held,
            Outcome::Done(_) => Vec::new(),
        };
        return Ok(json!({
            "dry_run": true,
            "sent": false,
            "requests": dry_run_requests(&held),
            "next": "nothing was sent: call again with confirm: true and the same idempotency_key to send it",
        }));
    }
    let print = fingerprint(state, tool, params);
    if let Claim::Replay(result) = state.keys.claim(key, tool, &print).await? {
        return Ok(json!({
            "dry_run": false,
            "sent": false,
            "replayed": true,
            "idempotency_key": key,
            "result": result,
        }));
    }
    let send = WriteArgs {
        dry_run: false,
        yes: true,
        no_input: true,
    };
    match perform(&send, Care::Plain, write).await {
        Ok(Outcome::Done(result)) => {
            state.keys.done(key, &result).await?;
            Ok(json!({
                "dry_run": false,
                "sent": true,
                "replayed": false,
                "idempotency_key": key,
                "result": result,
            }))
        }
        Ok(Outcome::DryRun(_)) => {
            state.keys.forget(key).await?;
            Err(CliError::Usage("nothing was sent".into()))
        }
        Err(e) => {
            if may_have_acted(&e) {
                state
                    .keys
                    .unknown(key, &crate::watch::redact(&e.to_string()))
                    .await?;
            } else {
                state.keys.forget(key).await?;
            }
            Err(e)
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The partial refund `amount` (major units) in the sale currency's minor
/// units, checked against what is left to refund when Gumroad says.
fn refund_cents(sale: &Sale, amount: &str) -> Result<u64, CliError> {
    let currency = sale_currency(sale.currency.as_deref(), sale.currency_symbol.as_deref())
        .map_err(|e| {
            CliError::Usage(format!(
                "amount `{amount}`: {e}: refund in full or in the Gumroad dashboard"
            ))
        })?;
    partial_refund(
        "amount",
        amount,
        currency,
        sale.amount_refundable_in_currency.as_deref(),
    )
}

/// `sale_refund`, full or partial.
pub async fn refund(state: &State, p: RefundParams) -> Result<Value, CliError> {
    let (client, creds) = client(state, &p)?;
    let id = p.sale_id.trim().to_owned();
    let amount = p.amount.clone().filter(|a| !a.trim().is_empty());
    let pe = move |e| provider_error(e, creds);
    guarded(state, "sale_refund", &p, async move {
        let refund = match amount {
            None => Refund::Full,
            Some(amount) => {
                let sale = client.sales().get(&id).await.map_err(pe)?;
                Refund::Partial {
                    amount_cents: refund_cents(&sale, &amount)?,
                }
            }
        };
        let sale = client.sales().refund(&id, refund).await.map_err(pe)?;
        Ok(to_json(&sale))
    })
    .await
}

/// What a sale write does.
#[derive(Debug, Clone, Copy)]
pub enum SaleAction {
    /// `sale_resend_receipt`.
    ResendReceipt,
    /// `sale_revoke_access`.
    RevokeAccess,
    /// `sale_restore_access`.
    RestoreAccess,
}

/// `sale_resend_receipt`, `sale_revoke_access`, `sale_restore_access`.
pub async fn sale(
    state: &State,
    action: SaleAction,
    p: SaleWriteParams,
) -> Result<Value, CliError> {
    let (client, creds) = client(state, &p)?;
    let id = p.sale_id.trim().to_owned();
    let tool = match action {
        SaleAction::ResendReceipt => "sale_resend_receipt",
        SaleAction::RevokeAccess => "sale_revoke_access",
        SaleAction::RestoreAccess => "sale_restore_access",
    };
    guarded(state, tool, &p, async move {
        let sales = client.sales();
        let sale = match action {
            SaleAction::ResendReceipt => sales.resend_receipt(&id).await.map(|()| None),
            SaleAction::RevokeAccess => sales.revoke_access(&id).await,
            SaleAction::RestoreAccess => sales.undo_revoke_access(&id).await,
        }
        .map_err(|e| provider_error(e, creds))?;
        Ok(json!({"sale_id": id, "sale": sale}))
    })
    .await
}

/// `sale_mark_shipped`.
pub async fn ship(state: &State, p: ShipParams) -> Result<Value, CliError> {
    let (client, creds) = client(state, &p)?;
    let id = p.sale_id.trim().to_owned();
    let tracking = p.tracking_url.clone().filter(|u| !u.trim().is_empty());
    guarded(state, "sale_mark_shipped", &p, async move {
        let sale = client
            .sales()
            .mark_as_shipped(&id, tracking.as_deref())
            .await
            .map_err(|e| provider_error(e, creds))?;
        Ok(to_json(&sale))
    })
    .await
}

/// What a license write does.
#[derive(Debug, Clone, Copy)]
pub enum LicenseAction {
    /// `license_enable`.
    Enable,
    /// `license_disable`.
    Disable,
    /// `license_rotate`: a new key; the old one stops validating.
    Rotate,
    /// `license_decrement_uses`.
    DecrementUses,
}

/// `license_enable`, `license_disable`, `license_rotate`, `license_decrement_uses`.
pub async fn license(
    state: &State,
    action: LicenseAction,
    p: LicenseWriteParams,
) -> Result<Value, CliError> {
    let (client, creds) = client(state, &p)?;
    let (product, key) = (
        p.product_id.trim().to_owned(),
        p.license_key.trim().to_owned(),
    );
    crate::watch::register_secret(&key);
    let tool = match action {
        LicenseAction::Enable => "license_enable",
        LicenseAction::Disable => "license_disable",
        LicenseAction::Rotate => "license_rotate",
        LicenseAction::DecrementUses => "license_decrement_uses",
    };
    guarded(state, tool, &p, async move {
        let licenses = client.licenses();
        let license = match action {
            LicenseAction::Enable => licenses.enable(&product, &key).await,
            LicenseAction::Disable => licenses.disable(&product, &key).await,
            LicenseAction::Rotate => licenses.rotate(&product, &key).await,
            LicenseAction::DecrementUses => licenses.decrement_uses_count(&product, &key).await,
        }
        .map_err(|e| provider_error(e, creds))?;
        Ok(to_json(&license))
    })
    .await
}
