//! Earnings and tax forms (`/v2/earnings`, `/v2/tax_forms`; the tax center).

use creator_core::{Currency, Money};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{opt_i64, opt_string, ts};

creator_core::string_enum! {
    /// A US tax form Gumroad (through Stripe) files for the seller.
    pub enum TaxFormType {
        /// Form 1099-K.
        Us1099K = "us_1099_k",
        /// Form 1099-MISC.
        Us1099Misc = "us_1099_misc",
    }
}

/// A tax year's earnings (`GET /v2/earnings`), in USD cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Earnings {
    /// The tax year.
    #[serde(default, deserialize_with = "opt_i64")]
    pub year: Option<i64>,
    /// Lower-case currency code of the amounts (`usd`).
    #[serde(default, deserialize_with = "opt_string")]
    pub currency: Option<String>,
    /// Gross sales.
    #[serde(default, deserialize_with = "opt_i64")]
    pub gross_cents: Option<i64>,
    /// Fees.
    #[serde(default, deserialize_with = "opt_i64")]
    pub fees_cents: Option<i64>,
    /// Taxes.
    #[serde(default, deserialize_with = "opt_i64")]
    pub taxes_cents: Option<i64>,
    /// Affiliate credits.
    #[serde(default, deserialize_with = "opt_i64")]
    pub affiliate_credit_cents: Option<i64>,
    /// Net earnings.
    #[serde(default, deserialize_with = "opt_i64")]
    pub net_cents: Option<i64>,
}

impl Earnings {
    /// An amount of this report as exact money in its currency (USD when
    /// the currency is absent), e.g. `earnings.money(earnings.net_cents)`.
    pub fn money(&self, cents: Option<i64>) -> Option<Money> {
        let currency = match self.currency.as_deref() {
            Some(code) => Currency::new(code).ok()?,
            None => Currency::USD,
        };
        Some(Money::from_minor(cents?, currency))
    }
}

/// A tax form that exists for the seller (`GET /v2/tax_forms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaxForm {
    /// The tax year it covers.
    #[serde(default, deserialize_with = "opt_i64")]
    pub tax_year: Option<i64>,
    /// The form type.
    #[serde(default)]
    pub tax_form_type: Option<TaxFormType>,
    /// When Stripe filed it with the IRS; `None` until filed.
    #[serde(default, with = "ts")]
    pub filed_at: Option<OffsetDateTime>,
}

/// A downloaded tax form: the PDF's bytes exactly as received.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TaxFormPdf {
    /// The file name from `Content-Disposition` (`1099-K-2025.pdf`), when sent.
    pub filename: Option<String>,
    /// The `Content-Type` (`application/pdf`).
    pub content_type: Option<String>,
    /// The file.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for TaxFormPdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaxFormPdf")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}
