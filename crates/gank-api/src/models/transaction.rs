//! Transactions (payments), their use cases and use-case data.

use std::collections::BTreeMap;

use creator_core::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::Amount;
use crate::de;

creator_core::string_enum! {
    /// A transaction's `payment_status`. Only `SUCCEED` is documented.
    pub enum PaymentStatus {
        /// `SUCCEED`: paid.
        Succeed = "SUCCEED",
    }
}

creator_core::string_enum! {
    /// What a transaction was for (`usecase`).
    ///
    /// `USER_MEMBERSHIP_RECURRING` is documented; the others are seen in
    /// third-party code (GankHelper's transaction types).
    pub enum Usecase {
        /// `USER_MEMBERSHIP_RECURRING`: a membership payment.
        UserMembershipRecurring = "USER_MEMBERSHIP_RECURRING",
        /// `DIGITAL_GOODS`: a shop purchase.
        DigitalGoods = "DIGITAL_GOODS",
        /// `DONATION`: a profile tip.
        Donation = "DONATION",
        /// `POST_TIPPING`: a tip on a post.
        PostTipping = "POST_TIPPING",
        /// `WITHDRAWAL`: a payout to the creator.
        Withdrawal = "WITHDRAWAL",
        /// `INTERNAL`: an internal movement.
        Internal = "INTERNAL",
    }
}

impl Usecase {
    /// True for any membership usecase (`USER_MEMBERSHIP…`).
    pub fn is_membership(&self) -> bool {
        self.as_str().starts_with("USER_MEMBERSHIP")
    }
}

/// The payload of a membership transaction (`usecase_data.data` for
/// `USER_MEMBERSHIP_*`), as in the `USER_MEMBERSHIP.TX_SUCCEED` webhook and
/// the transaction detail. Every field is optional; unknown ones are in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MembershipTxData {
    /// Billing period in months.
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub billing_period: Option<u32>,
    /// Whether the subscriber covered the fee.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub is_fee_covered: Option<bool>,
    /// Whether the subscriber covers the fee on every renewal.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub is_fee_covered_forever: Option<bool>,
    /// The price event id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub price_event_id: Option<String>,
    /// The creator's user id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub creator_user_id: Option<String>,
    /// The creator's nickname.
    #[serde(default)]
    pub creator_user_nickname: Option<String>,
    /// The membership's title at the time of payment.
    #[serde(default)]
    pub membership_title: Option<String>,
    /// The membership detail (billing option) paid for.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub membership_detail_id: Option<String>,
    /// The subscriber's user id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub subscriber_user_id: Option<String>,
    /// The subscriber's email.
    #[serde(default)]
    pub subscriber_user_email: Option<String>,
    /// The subscriber's nickname.
    #[serde(default)]
    pub subscriber_user_nickname: Option<String>,
    /// An undocumented reference (`null` in every sample), kept as sent.
    #[serde(default)]
    pub custom_reference_id: Option<Value>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The payload of a digital-goods transaction (`usecase_data.data` for
/// `DIGITAL_GOODS`). Every field is optional; unknown ones (the documented
/// sample is cut off) are in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DigitalGoodsTxData {
    /// The listing bought (a [`Listing`](crate::Listing) id).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub catalog_id: Option<String>,
    /// The listing's title at the time of purchase.
    #[serde(default)]
    pub catalog_title: Option<String>,
    /// The price option bought.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub catalog_price_id: Option<String>,
    /// The buyer's user id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub buyer_user_id: Option<String>,
    /// The buyer's email.
    #[serde(default)]
    pub buyer_user_email: Option<String>,
    /// The creator's user id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub creator_user_id: Option<String>,
    /// Whether the buyer covered the fee.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub is_fee_covered: Option<bool>,
    /// The discount code used (`null` in the sample), kept as sent.
    #[serde(default)]
    pub discount_code: Option<Value>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl MembershipTxData {
    /// `membership_setting_id`, when the payload carries one (it is not in
    /// the documented samples; read from [`extra`](Self::extra)).
    pub fn membership_setting_id(&self) -> Option<String> {
        extra_str(&self.extra, "membership_setting_id")
    }
}

impl DigitalGoodsTxData {
    /// `buyer_user_nickname`, when the payload carries one (the documented
    /// sample is cut off before it could appear; read from [`extra`](Self::extra)).
    pub fn buyer_user_nickname(&self) -> Option<String> {
        extra_str(&self.extra, "buyer_user_nickname")
    }
}

fn extra_str(extra: &BTreeMap<String, Value>, key: &str) -> Option<String> {
    extra.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// `usecase_data.data`, typed by usecase.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UsecasePayload {
    /// A membership payment.
    Membership(MembershipTxData),
    /// A digital-goods purchase.
    DigitalGoods(DigitalGoodsTxData),
    /// Any other usecase (or no `data`): the JSON as sent.
    Other(Value),
}

/// `usecase_data`: `{usecase, data}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UsecaseData {
    /// The usecase, when sent.
    pub usecase: Option<Usecase>,
    /// The payload, typed by usecase.
    pub data: UsecasePayload,
}

/// Which payload type to read when `usecase` is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    Membership,
    DigitalGoods,
}

impl UsecaseData {
    /// Types `data` by `usecase`, else by `hint`, else by its keys.
    pub(crate) fn from_parts(
        usecase: Option<Usecase>,
        data: Option<Value>,
        hint: Option<Hint>,
    ) -> Result<Self, serde_json::Error> {
        let data = data.unwrap_or(Value::Null);
        let kind = match &usecase {
            Some(u) if u.is_membership() => Some(Hint::Membership),
            Some(Usecase::DigitalGoods) => Some(Hint::DigitalGoods),
            Some(_) => None,
            None => hint.or_else(|| {
                let obj = data.as_object()?;
                if obj.contains_key("catalog_id") {
                    Some(Hint::DigitalGoods)
                } else if obj.contains_key("subscriber_user_id")
                    || obj.contains_key("membership_title")
                {
                    Some(Hint::Membership)
                } else {
                    None
                }
            }),
        };
        let payload = match (kind, &data) {
            (Some(Hint::Membership), Value::Null) => {
                UsecasePayload::Membership(MembershipTxData::default())
            }
            (Some(Hint::DigitalGoods), Value::Null) => {
                UsecasePayload::DigitalGoods(DigitalGoodsTxData::default())
            }
            (Some(Hint::Membership), _) => {
                UsecasePayload::Membership(serde_json::from_value(data)?)
            }
            (Some(Hint::DigitalGoods), _) => {
                UsecasePayload::DigitalGoods(serde_json::from_value(data)?)
            }
            (None, _) => UsecasePayload::Other(data),
        };
        Ok(Self {
            usecase,
            data: payload,
        })
    }

    /// The membership payload, if this is one.
    pub fn membership(&self) -> Option<&MembershipTxData> {
        match &self.data {
            UsecasePayload::Membership(m) => Some(m),
            _ => None,
        }
    }

    /// The digital-goods payload, if this is one.
    pub fn digital_goods(&self) -> Option<&DigitalGoodsTxData> {
        match &self.data {
            UsecasePayload::DigitalGoods(d) => Some(d),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct RawUsecaseData {
    #[serde(default)]
    usecase: Option<Usecase>,
    #[serde(default)]
    data: Option<Value>,
}

impl<'de> Deserialize<'de> for UsecaseData {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawUsecaseData::deserialize(d)?;
        UsecaseData::from_parts(raw.usecase, raw.data, None)
            .map_err(|e| serde::de::Error::custom(format!("in usecase_data.data: {e}")))
    }
}

/// A Gank transaction (payment).
///
/// From the documented detail endpoint (`human_id`, `payment_status`,
/// `usecase_data`) and the V2 wallet list (which adds `usecase`, `price`,
/// `created_at`). Everything is optional; unknown fields are in `extra`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Transaction {
    /// The payment id, when sent.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id: Option<String>,
    /// The human-readable id (`UM-YYMMDD-…` memberships, `DG-YYMMDD-…` digital
    /// goods); the subject of webhook deliveries.
    #[serde(default)]
    pub human_id: Option<String>,
    /// Payment status.
    #[serde(default)]
    pub payment_status: Option<PaymentStatus>,
    /// The usecase at the top level (wallet list).
    #[serde(default)]
    pub usecase: Option<Usecase>,
    /// Usecase and typed payload.
    #[serde(default)]
    pub usecase_data: Option<UsecaseData>,
    /// Price in dollars (wallet list; a string or a number).
    #[serde(default)]
    pub price: Option<Amount>,
    /// Creation time, as sent.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Transaction {
    /// [`created_at`](Self::created_at) parsed; `None` when absent or unreadable.
    pub fn created_at(&self) -> Option<OffsetDateTime> {
        self.created_at.as_deref().and_then(crate::parse_timestamp)
    }

    /// The usecase from `usecase_data`, else the top-level one.
    pub fn usecase(&self) -> Option<&Usecase> {
        self.usecase_data
            .as_ref()
            .and_then(|u| u.usecase.as_ref())
            .or(self.usecase.as_ref())
    }

    /// `human_id`, else `id`.
    pub fn key(&self) -> Option<&str> {
        self.human_id.as_deref().or(self.id.as_deref())
    }
}

/// `{"data": [...]}` from the V2 wallet list.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TransactionPage {
    /// The transactions (`data: null` reads as none).
    #[serde(default, deserialize_with = "de::nullable")]
    pub data: Vec<Transaction>,
    /// The total count, when sent.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub total: Option<u64>,
}
