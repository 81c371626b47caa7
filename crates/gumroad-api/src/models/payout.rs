//! Payouts (`/v2/payouts`, 2026 API).

use creator_core::{Currency, Money, MoneyError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{opt_string, ts};

creator_core::string_enum! {
    /// The state of a payout.
    pub enum PayoutStatus {
        /// Not paid yet (the upcoming payout).
        Payable = "payable",
        /// Paid.
        Completed = "completed",
        /// On its way.
        Pending = "pending",
        /// Failed.
        Failed = "failed",
    }
}

creator_core::string_enum! {
    /// Who moved the money.
    pub enum PaymentProcessor {
        /// Stripe (bank account).
        Stripe = "stripe",
        /// PayPal.
        Paypal = "paypal",
    }
}

/// A payout to the seller.
///
/// The **upcoming** payout (first on the first page of the list, and in
/// `GET /v2/payouts/upcoming`) has `"id": null`. `amount` is a decimal
/// string in major units (`"150.00"`) and `currency` is upper-case (`"USD"`);
/// see [`Payout::amount_money`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payout {
    /// External id; `None` for the upcoming payout.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Amount in major units as sent (`"150.00"`).
    #[serde(default, deserialize_with = "opt_string")]
    pub amount: Option<String>,
    /// Upper-case currency code.
    #[serde(default, deserialize_with = "opt_string")]
    pub currency: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Option<PayoutStatus>,
    /// When it was created.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// When it was processed.
    #[serde(default, with = "ts")]
    pub processed_at: Option<OffsetDateTime>,
    /// Processor.
    #[serde(default)]
    pub payment_processor: Option<PaymentProcessor>,
    /// Masked bank account.
    #[serde(default, deserialize_with = "opt_string")]
    pub bank_account_visual: Option<String>,
    /// PayPal email.
    #[serde(default, deserialize_with = "opt_string")]
    pub paypal_email: Option<String>,
    /// Sale ids in this payout (detail view, with `view_sales`).
    #[serde(default)]
    pub sales: Option<Vec<String>>,
    /// Refunded sale ids (detail view).
    #[serde(default)]
    pub refunded_sales: Option<Vec<String>>,
    /// Disputed sale ids (detail view).
    #[serde(default)]
    pub disputed_sales: Option<Vec<String>>,
    /// Ledger rows, when `include_transactions` was asked for.
    #[serde(default)]
    pub transactions: Option<Vec<PayoutTransaction>>,
}

impl Payout {
    /// True for the upcoming payout (no id yet).
    pub fn is_upcoming(&self) -> bool {
        self.id.is_none()
    }

    /// The amount as exact money, parsed from the decimal string without
    /// floating point. `None` when amount or currency is absent.
    ///
    /// # Errors
    /// A [`MoneyError`] for an amount or currency that does not parse.
    pub fn amount_money(&self) -> Option<Result<Money, MoneyError>> {
        let amount = self.amount.as_deref()?;
        let currency = self.currency.as_deref()?;
        Some(Currency::new(currency).and_then(|c| Money::from_decimal_str(amount, c)))
    }
}

/// One ledger row of a payout. Numeric columns arrive as numbers, decimal
/// strings or `""` (for payout rows); they are kept as decimal text,
/// `""` becoming `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PayoutTransaction {
    /// Row type, e.g. `"sale"`, `"refund"`, `"payout"`.
    #[serde(default, rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    /// Date as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub date: Option<String>,
    /// Sale id.
    #[serde(default, deserialize_with = "opt_string")]
    pub purchase_id: Option<String>,
    /// Product name.
    #[serde(default, deserialize_with = "opt_string")]
    pub item_name: Option<String>,
    /// Buyer name.
    #[serde(default, deserialize_with = "opt_string")]
    pub buyer_name: Option<String>,
    /// Buyer email.
    #[serde(default, deserialize_with = "opt_string")]
    pub buyer_email: Option<String>,
    /// Taxes.
    #[serde(default, deserialize_with = "decimal_text")]
    pub taxes: Option<String>,
    /// Shipping.
    #[serde(default, deserialize_with = "decimal_text")]
    pub shipping: Option<String>,
    /// Sale price.
    #[serde(default, deserialize_with = "decimal_text")]
    pub sale_price: Option<String>,
    /// Gumroad fees.
    #[serde(default, deserialize_with = "decimal_text")]
    pub gumroad_fees: Option<String>,
    /// Net total.
    #[serde(default, deserialize_with = "decimal_text")]
    pub net_total: Option<String>,
}

fn decimal_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(opt_string(d)?.filter(|s| !s.trim().is_empty()))
}
