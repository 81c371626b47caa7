//! `creator sales`: the list (any provider), and for Gumroad one sale's
//! view, refund (full, or partial in major units of the sale's currency),
//! shipping, receipt, access; the period summary, one row per buyer, and
//! the emailed export.

use std::collections::BTreeMap;

use clap::{Args, Subcommand, ValueEnum};
use creator_core::{Currency, Money};
use futures::TryStreamExt;
use gumroad_api::{Refund, SalesExport, SalesQuery, SalesSummaryQuery, SummaryGroup};
use serde_json::{Value, json};

use super::money::{partial_refund, sale_currency, supported_currency};
use super::parse_day;
use super::target::{GumroadTarget, Read, Target, Write, confirm, json, object, plain};
use crate::CliError;
use crate::emit::{self, Columns, OutputArgs};
use crate::error::provider_error;
use crate::write::{self, Care};

/// `creator sales`: with no subcommand, the list.
pub type SalesCommandArgs = super::ListOr<super::list::SalesArgs, SalesCommand>;

/// Gumroad sales subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum SalesCommand {
    /// One sale.
    View(Read<SaleId>),
    /// Refund a sale, fully or (`--amount`) partly.
    Refund(Write<RefundArgs>),
    /// Mark a sale shipped, with an optional tracking URL.
    Ship(Write<ShipArgs>),
    /// Email the receipt to the buyer again.
    ResendReceipt(Write<SaleId>),
    /// Revoke the buyer's access without refunding (route unverified, see `--help`).
    #[command(
        long_about = "Revoke the buyer's access to the content without a refund.\n\nGumroad refuses it for refunded, physical and subscription sales. The route is not in any v2 route table read (docs/gumroad-api-surface.md); it follows Gumroad's own endpoint catalog."
    )]
    RevokeAccess(Write<SaleId>),
    /// Restore access revoked with `revoke-access`.
    RestoreAccess(Write<SaleId>),
    /// Totals over a period (USD), optionally broken down.
    Summary(SummaryArgs),
    /// One row per buyer email across products: sales, totals, first and last purchase.
    Buyers(BuyersArgs),
    /// Queue Gumroad's CSV export of sales (emailed to the account's address).
    Export(Write<ExportArgs>),
}

/// A sale.
#[derive(Debug, Clone, Args)]
pub struct SaleId {
    /// The sale id.
    id: String,
}

/// Options of `creator sales refund`.
#[derive(Debug, Clone, Args)]
pub struct RefundArgs {
    /// The sale id.
    id: String,
    /// Refund only this much, in major units of the sale's currency
    /// (`12.50` dollars, `1500` yen); the sale is read first to learn it.
    #[arg(long, value_name = "AMOUNT")]
    amount: Option<String>,
    /// The sale's currency (`usd`, `jpy`), to skip reading the sale (for a
    /// token without `view_sales`); trusted as given.
    #[arg(long, requires = "amount")]
    currency: Option<String>,
}

/// Options of `creator sales ship`.
#[derive(Debug, Clone, Args)]
pub struct ShipArgs {
    /// The sale id.
    id: String,
    /// The carrier's tracking URL.
    #[arg(long, value_name = "URL")]
    tracking_url: Option<String>,
}

/// How `creator sales summary` groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// One row per product.
    Product,
    /// One row per day.
    Day,
    /// One row per week.
    Week,
    /// One row per month.
    Month,
    /// One row per hour (short ranges only).
    Hour,
}

/// Options of `creator sales summary`.
#[derive(Debug, Clone, Args)]
pub struct SummaryArgs {
    /// First day, inclusive, in the seller's time zone (default: 29 days before `--to`).
    #[arg(long, value_name = "DAY")]
    from: Option<String>,
    /// Last day, inclusive (default: today).
    #[arg(long, value_name = "DAY")]
    to: Option<String>,
    /// Break the totals down.
    #[arg(long, value_enum)]
    group_by: Option<GroupBy>,
    #[command(flatten)]
    target: GumroadTarget,
    #[command(flatten)]
    output: OutputArgs,
}

/// Options of `creator sales buyers`.
#[derive(Debug, Clone, Args)]
pub struct BuyersArgs {
    /// Only sales on or after this day.
    #[arg(long, value_name = "DAY")]
    after: Option<String>,
    /// Only sales before this day (exclusive).
    #[arg(long, value_name = "DAY")]
    before: Option<String>,
    /// Only sales of this product.
    #[arg(long)]
    product: Option<String>,
    /// Leave out refunded sales.
    #[arg(long)]
    exclude_refunded: bool,
    #[command(flatten)]
    target: GumroadTarget,
    #[command(flatten)]
    output: OutputArgs,
}

/// Options of `creator sales export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// First day.
    #[arg(long, value_name = "DAY")]
    from: Option<String>,
    /// Last day.
    #[arg(long, value_name = "DAY")]
    to: Option<String>,
    /// Only this product.
    #[arg(long)]
    product: Option<String>,
}

/// Runs `creator sales …`.
///
/// # Errors
/// Bad input, missing credentials, a platform error, or a refused confirmation.
pub async fn run(args: SalesCommandArgs) -> Result<(), CliError> {
    let command = match args {
        super::ListOr::List(list) => return super::list::run_sales(list).await,
        super::ListOr::Command(command) => command,
    };
    use SalesCommand as S;
    match command {
        S::View(r) => {
            r.run(|c, a| object(async move { c.sales().get(&a.id).await }))
                .await
        }
        S::Refund(w) => refund(w).await,
        S::Ship(w) => {
            w.run(|c, a| {
                plain(format!("Sale {} marked as shipped", a.id), async move {
                    c.sales()
                        .mark_as_shipped(&a.id, a.tracking_url.as_deref())
                        .await
                })
            })
            .await
        }
        S::ResendReceipt(w) => {
            w.run(|c, a| {
                plain(format!("Receipt of sale {} sent again", a.id), async move {
                    c.sales().resend_receipt(&a.id).await?;
                    Ok(json!({"sale_id": a.id, "receipt": "resent"}))
                })
            })
            .await
        }
        S::RevokeAccess(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Revoke the buyer's access to sale {} (no refund)?", a.id),
                    format!("Access to sale {} revoked", a.id),
                    async move { c.sales().revoke_access(&a.id).await },
                )
            })
            .await
        }
        S::RestoreAccess(w) => {
            w.run(|c, a| {
                plain(format!("Access to sale {} restored", a.id), async move {
                    c.sales().undo_revoke_access(&a.id).await
                })
            })
            .await
        }
        S::Summary(a) => summary(a).await,
        S::Buyers(a) => buyers(a).await,
        S::Export(w) => {
            w.run(|c, a| {
                let mut export = SalesExport::new();
                if let Some(d) = &a.from {
                    export = export.from(parse_day("--from", d)?);
                }
                if let Some(d) = &a.to {
                    export = export.to(parse_day("--to", d)?);
                }
                if let Some(p) = &a.product {
                    export = export.product_id(p.clone());
                }
                plain(
                    "Export queued",
                    async move { c.sales().export(&export).await },
                )
                .map(|change| {
                    change.saying(|v| {
                        let to = v["recipient_email"]
                            .as_str()
                            .unwrap_or("the account's email");
                        format!("Export queued: Gumroad will email the CSV to {to}")
                    })
                })
            })
            .await
        }
    }
}

/// `sales refund`: a partial amount is scaled by the sale's currency, read
/// first (unless `--currency`), and checked against what is left to refund
/// before the question is asked.
async fn refund(w: Write<RefundArgs>) -> Result<(), CliError> {
    let a = &w.args;
    let (client, creds) = w.target.client()?;
    let (refund, what) = match &a.amount {
        None => (Refund::Full, "the whole remaining amount".to_owned()),
        Some(amount) => {
            // Check the amount's form before spending a request.
            if Money::from_decimal_str(amount.trim(), Currency::USD).is_err()
                && Money::from_decimal_str(amount.trim(), Currency::JPY).is_err()
            {
                return Err(CliError::Usage(format!(
                    "--amount `{amount}` is not an amount: use the sale currency's major units, like 12.50"
                )));
            }
            let (currency, refundable) = match &a.currency {
                Some(code) => (supported_currency(code)?, None),
                None => {
                    let sale = client
                        .sales()
                        .get(&a.id)
                        .await
                        .map_err(|e| provider_error(e, creds))?;
                    let currency = sale_currency(
                        sale.currency.as_deref(),
                        sale.currency_symbol.as_deref(),
                    )
                    .map_err(|e| {
                        CliError::Usage(format!(
                            "sale {}: {e}: pass --currency, or leave out --amount for a full refund",
                            a.id
                        ))
                    })?;
                    (currency, sale.amount_refundable_in_currency.clone())
                }
            };
            let cents = partial_refund("--amount", amount, currency, refundable.as_deref())?;
            let shown = Money::from_minor(i64::try_from(cents).unwrap_or(i64::MAX), currency);
            (
                Refund::Partial {
                    amount_cents: cents,
                },
                format!("{} {currency}", shown.to_decimal_string()),
            )
        }
    };
    write::run(
        &w.write,
        &w.output,
        Care::Confirm(format!("Refund {what} of sale {}?", a.id)),
        creds,
        client.sales().refund(&a.id, refund),
        |_| format!("Refunded {what} of sale {}", a.id),
    )
    .await
}

const SUMMARY_COLUMNS: Columns = &[
    ("key", 12),
    ("label", 30),
    ("gross_cents", 12),
    ("net_cents", 12),
    ("units", 6),
    ("refunded_cents", 14),
    ("refunded_units", 14),
];

async fn summary(a: SummaryArgs) -> Result<(), CliError> {
    let mut query = SalesSummaryQuery::new();
    if let Some(d) = &a.from {
        query = query.from(parse_day("--from", d)?);
    }
    if let Some(d) = &a.to {
        query = query.to(parse_day("--to", d)?);
    }
    if let Some(g) = a.group_by {
        query = query.group_by(match g {
            GroupBy::Product => SummaryGroup::Product,
            GroupBy::Day => SummaryGroup::Day,
            GroupBy::Week => SummaryGroup::Week,
            GroupBy::Month => SummaryGroup::Month,
            GroupBy::Hour => SummaryGroup::Hour,
        });
    }
    let (client, creds) = a.target.client()?;
    let summary = client
        .sales()
        .summary(&query)
        .await
        .map_err(|e| provider_error(e, creds))?;
    let value = json(&summary);
    if a.output.is_structured() || a.group_by.is_none() {
        return emit::object(&value, &a.output);
    }
    // People: the totals, then the breakdown as a table.
    let breakdown: Vec<Value> = value
        .get("breakdown")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if a.output.format == crate::output::Format::Table && !a.output.quiet {
        let mut totals = value.clone();
        if let Some(map) = totals.as_object_mut() {
            map.remove("breakdown");
        }
        emit::object(&totals, &a.output)?;
        super::output_result(std::io::Write::write_all(&mut std::io::stdout(), b"\n"))?;
    }
    emit::list(&breakdown, SUMMARY_COLUMNS, &a.output)
}

const BUYER_COLUMNS: Columns = &[
    ("email", 30),
    ("name", 20),
    ("sales", 5),
    ("refunded", 8),
    ("total_usd", 10),
    ("first_purchase", 20),
    ("last_purchase", 20),
    ("products", 40),
];

/// One buyer across products.
#[derive(Default)]
struct Buyer {
    name: Option<String>,
    sales: u64,
    refunded: u64,
    total_cents: i64,
    first: Option<time::OffsetDateTime>,
    last: Option<time::OffsetDateTime>,
    products: std::collections::BTreeSet<String>,
}

async fn buyers(a: BuyersArgs) -> Result<(), CliError> {
    let mut query = SalesQuery::new();
    if let Some(d) = &a.after {
        query = query.after(parse_day("--after", d)?);
    }
    if let Some(d) = &a.before {
        query = query.before(parse_day("--before", d)?);
    }
    if let Some(p) = &a.product {
        query = query.product_id(p.clone());
    }
    let (client, creds) = a.target.client()?;
    let mut sales = client.sales().list(&query);
    let mut by_email: BTreeMap<String, Buyer> = BTreeMap::new();
    while let Some(sale) = sales
        .try_next()
        .await
        .map_err(|e| provider_error(e, creds))?
    {
        if a.exclude_refunded && sale.is_refunded() {
            continue;
        }
        let Some(email) = sale.email.as_deref().map(|e| e.trim().to_ascii_lowercase()) else {
            continue;
        };
        let b = by_email.entry(email).or_default();
        b.sales += 1;
        if sale.is_refunded() {
            b.refunded += 1;
        } else {
            b.total_cents += sale.price.unwrap_or(0);
        }
        if b.name.is_none() {
            b.name = sale.full_name.clone().filter(|n| !n.trim().is_empty());
        }
        if let Some(t) = sale.created_at {
            b.first = Some(b.first.map_or(t, |f| f.min(t)));
            b.last = Some(b.last.map_or(t, |l| l.max(t)));
        }
        if let Some(p) = sale.product_name.clone().or(sale.product_id.clone()) {
            b.products.insert(p);
        }
    }
    let ts = |t: Option<time::OffsetDateTime>| t.map(crate::ledger::timestamp);
    let rows: Vec<Value> = by_email
        .into_iter()
        .map(|(email, b)| {
            json!({
                "email": email,
                "name": b.name,
                "sales": b.sales,
                "refunded": b.refunded,
                "total_usd": Money::from_minor(b.total_cents, Currency::USD).to_decimal_string(),
                "total_usd_cents": b.total_cents,
                "first_purchase": ts(b.first),
                "last_purchase": ts(b.last),
                "products": b.products.into_iter().collect::<Vec<_>>(),
            })
        })
        .collect();
    emit::list(&rows, BUYER_COLUMNS, &a.output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_amounts_scale_by_the_sale_currency() {
        let cents = |amount, currency| partial_refund("--amount", amount, currency, None);
        assert_eq!(cents("12.50", Currency::USD).unwrap(), 1250);
        assert_eq!(cents("12.5", Currency::USD).unwrap(), 1250);
        assert_eq!(cents("1500", Currency::JPY).unwrap(), 1500);
        for bad in ["0", "-1", "1.234", "abc", "", "12.5.0"] {
            assert!(cents(bad, Currency::USD).is_err(), "{bad}");
        }
        assert!(
            partial_refund("--amount", "20.01", Currency::USD, Some("20.00")).is_err(),
            "more than is left"
        );
        assert!(cents("12.5", Currency::JPY).is_err(), "no decimals in yen");
        assert!(supported_currency("jpyy").is_err());
        assert_eq!(supported_currency("JPY").unwrap(), Currency::JPY);
    }
}
