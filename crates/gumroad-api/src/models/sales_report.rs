//! Sales summaries (`GET /v2/sales/summary`) and exports (`POST /v2/sales/exports`).

use creator_core::{Currency, Money};
use serde::{Deserialize, Serialize};

use crate::de::{nullable, opt_i64, opt_string};

creator_core::string_enum! {
    /// How [`SalesSummary::breakdown`] is grouped (`group_by`).
    pub enum SummaryGroup {
        /// One bucket per product, largest gross first.
        Product = "product",
        /// One bucket per day (`YYYY-MM-DD`, seller time zone).
        Day = "day",
        /// One bucket per week (keyed by its first day).
        Week = "week",
        /// One bucket per month (`YYYY-MM`).
        Month = "month",
        /// One bucket per hour (`YYYY-MM-DDTHH:MM`); the server allows only short ranges.
        Hour = "hour",
    }
}

/// Totals over a period. Amounts are **USD cents** (`currency` is `usd`):
/// gross is what buyers paid, net is gross minus refunds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SalesSummary {
    /// The totals of the whole period.
    #[serde(flatten)]
    pub totals: SalesTotals,
    /// Lower-case ISO code; `usd` in the code read.
    #[serde(default, deserialize_with = "opt_string")]
    pub currency: Option<String>,
    /// First day (`YYYY-MM-DD`), as the server resolved it.
    #[serde(default, deserialize_with = "opt_string")]
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "opt_string")]
    pub to: Option<String>,
    /// Buckets, only with `group_by`.
    #[serde(default, deserialize_with = "nullable")]
    pub breakdown: Vec<SummaryBucket>,
}

impl SalesSummary {
    /// Gross as money (USD unless the server says otherwise).
    pub fn gross(&self) -> Option<Money> {
        Some(Money::from_minor(
            self.totals.gross_cents?,
            self.currency()?,
        ))
    }

    /// Net as money.
    pub fn net(&self) -> Option<Money> {
        Some(Money::from_minor(self.totals.net_cents?, self.currency()?))
    }

    fn currency(&self) -> Option<Currency> {
        match self.currency.as_deref() {
            None => Some(Currency::USD),
            Some(code) => Currency::new(code).ok(),
        }
    }
}

/// Sales counters, of a whole summary or of one bucket. Amounts are USD cents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SalesTotals {
    /// Paid, in minor units of `currency`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub gross_cents: Option<i64>,
    /// Gross minus refunds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub net_cents: Option<i64>,
    /// Number of sales.
    #[serde(default, deserialize_with = "opt_i64")]
    pub units: Option<i64>,
    /// Refunded amount.
    #[serde(default, deserialize_with = "opt_i64")]
    pub refunded_cents: Option<i64>,
    /// Sales with any refund.
    #[serde(default, deserialize_with = "opt_i64")]
    pub refunded_units: Option<i64>,
}

/// One bucket of a [`SalesSummary`] breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SummaryBucket {
    /// Product external id, or the date key.
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    /// Product name, or the date key (`null` for a deleted product).
    #[serde(default, deserialize_with = "opt_string")]
    pub label: Option<String>,
    /// The bucket's totals.
    #[serde(flatten)]
    pub totals: SalesTotals,
}

creator_core::string_enum! {
    /// The state of a requested export.
    pub enum ExportState {
        /// Accepted; the CSV is emailed when ready.
        Queued = "queued",
    }
}

/// The answer to `POST /v2/sales/exports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SalesExportStatus {
    /// `queued`.
    #[serde(default)]
    pub status: Option<ExportState>,
    /// Where the CSV will be emailed (the seller's address).
    #[serde(default, deserialize_with = "opt_string")]
    pub recipient_email: Option<String>,
}
