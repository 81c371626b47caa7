//! Small shapes shared by several Gumroad objects.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::de::opt_string;

creator_core::string_enum! {
    /// A billing period: product `subscription_duration`, subscriber
    /// `recurrence`, the keys of tiered-membership price tables.
    pub enum Recurrence {
        /// Every month.
        Monthly = "monthly",
        /// Every three months.
        Quarterly = "quarterly",
        /// Every six months.
        Biannually = "biannually",
        /// Every year.
        Yearly = "yearly",
        /// Every two years.
        EveryTwoYears = "every_two_years",
    }
}

/// The variants a buyer picked. Gumroad changes the shape between endpoints:
/// sales (`GET /v2/sales`) send an object `{"Size": "Large"}`, license
/// responses send a formatted string such as `"(Premium)"` or `""`.
///
/// ```
/// use gumroad_api::Variants;
///
/// let sale: Variants = serde_json::from_str(r#"{"Tier":"Premium"}"#)?;
/// let license: Variants = serde_json::from_str(r#""(Premium)""#)?;
/// assert_eq!(sale.get("Tier"), Some("Premium"));
/// assert_eq!(license.as_text(), Some("(Premium)"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Variants {
    /// Category title → option name (sales API).
    Map(BTreeMap<String, String>),
    /// A formatted summary (license endpoints).
    Text(String),
}

impl Variants {
    /// The option picked in `category`, when the shape is a map.
    pub fn get(&self, category: &str) -> Option<&str> {
        match self {
            Variants::Map(m) => m.get(category).map(String::as_str),
            Variants::Text(_) => None,
        }
    }

    /// The formatted summary, when the shape is a string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Variants::Text(t) => Some(t),
            Variants::Map(_) => None,
        }
    }

    /// True when no variant was picked (`{}` or `""`).
    pub fn is_empty(&self) -> bool {
        match self {
            Variants::Map(m) => m.is_empty(),
            Variants::Text(t) => t.trim().is_empty(),
        }
    }
}

/// One answer to a checkout custom field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum FieldValue {
    /// A checkbox or terms field.
    Bool(bool),
    /// Text.
    Text(String),
    /// Anything else, kept as sent.
    Other(serde_json::Value),
}

/// The custom-field answers on a purchase. Sales send an object
/// `{"Company": "Acme"}`; license responses send a list of
/// `"Name: value"` strings (often `[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum CustomFieldValues {
    /// Field name → answer (sales API).
    Map(BTreeMap<String, FieldValue>),
    /// `"Name: value"` strings (license endpoints).
    List(Vec<String>),
}

impl CustomFieldValues {
    /// The answer for `name` as text, in either shape (for the list shape,
    /// the part after the first `": "` of the entry starting with `name`).
    pub fn get_text(&self, name: &str) -> Option<String> {
        match self {
            CustomFieldValues::Map(m) => match m.get(name)? {
                FieldValue::Bool(b) => Some(b.to_string()),
                FieldValue::Text(t) => Some(t.clone()),
                FieldValue::Other(v) => Some(v.to_string()),
            },
            CustomFieldValues::List(items) => items.iter().find_map(|item| {
                let (key, value) = item.split_once(": ")?;
                (key == name).then(|| value.to_owned())
            }),
        }
    }
}

/// The offer code used on a purchase. The sales and license APIs send an
/// object `{code, displayed_amount_off, name}`; webhook pings send the code
/// as a plain string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum OfferCodeUsed {
    /// The object shape.
    Details {
        /// The code the buyer typed.
        #[serde(default, deserialize_with = "opt_string")]
        code: Option<String>,
        /// The discount as shown, e.g. `"$2"` or `"20%"`.
        #[serde(default, deserialize_with = "opt_string")]
        displayed_amount_off: Option<String>,
        /// Same as `code` (kept by Gumroad for old clients).
        #[serde(default, deserialize_with = "opt_string")]
        name: Option<String>,
    },
    /// The string shape.
    Code(String),
}

impl OfferCodeUsed {
    /// The code the buyer typed, in either shape.
    pub fn code(&self) -> Option<&str> {
        match self {
            OfferCodeUsed::Details { code, name, .. } => code.as_deref().or(name.as_deref()),
            OfferCodeUsed::Code(c) => Some(c),
        }
    }
}

/// The card summary on a purchase. The `bin` and `expiry_*` keys are legacy
/// and always `null` today.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Card {
    /// Masked number, e.g. `"**** **** **** 4242"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub visual: Option<String>,
    /// Card brand, e.g. `"visa"`, or `"paypal"`.
    #[serde(default, rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    /// Legacy, always `null`.
    #[serde(default, deserialize_with = "opt_string")]
    pub bin: Option<String>,
    /// Legacy, always `null`.
    #[serde(default, deserialize_with = "opt_string")]
    pub expiry_month: Option<String>,
    /// Legacy, always `null`.
    #[serde(default, deserialize_with = "opt_string")]
    pub expiry_year: Option<String>,
}

/// The ids of the charges of a subscription.
///
/// The API sends a JSON array; a form-encoded webhook turned into JSON by a
/// naive converter gives an object `{"": "id"}` or `{"0": "id", …}`, and a
/// single charge may arrive as a bare string. All of them decode to the
/// list of ids, in order.
///
/// ```
/// use gumroad_api::PurchaseIds;
///
/// let a: PurchaseIds = serde_json::from_str(r#"["a==", "b=="]"#)?;
/// let b: PurchaseIds = serde_json::from_str(r#"{"": "a=="}"#)?;
/// assert_eq!(a.as_slice(), ["a==", "b=="]);
/// assert_eq!(b.as_slice(), ["a=="]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PurchaseIds(pub Vec<String>);

impl PurchaseIds {
    /// The ids as a slice.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl<'de> Deserialize<'de> for PurchaseIds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PurchaseIds;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of purchase ids, an object of purchase ids, a string or null")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                Ok(PurchaseIds(ids))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, String)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    entries.push((k, v));
                }
                // `{"0": a, "1": b}` from indexed form keys: keep numeric order.
                if entries.iter().all(|(k, _)| k.parse::<u64>().is_ok()) {
                    entries.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(u64::MAX));
                }
                Ok(PurchaseIds(entries.into_iter().map(|(_, v)| v).collect()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PurchaseIds(if v.is_empty() {
                    Vec::new()
                } else {
                    vec![v.to_owned()]
                }))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(PurchaseIds::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(PurchaseIds::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The answer to a delete: `{"success": true, "message": "The product was deleted successfully."}`.
///
/// (The docs say "has been deleted"; the server says "was deleted". Do not
/// match on the text.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Deleted {
    /// The server's confirmation message.
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
}

/// One page of a list endpoint, with the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ListPage<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Pass this back as `page_key` for the next page; `None` on the last page.
    pub next_page_key: Option<String>,
    /// The next page as a path relative to the API host (`/v2/sales?page_key=…`).
    pub next_page_url: Option<String>,
}

impl<T> ListPage<T> {
    pub(crate) fn new(
        items: Vec<T>,
        next_page_key: Option<String>,
        next_page_url: Option<String>,
    ) -> Self {
        // An empty key means "no more pages", the same as an absent one.
        let next_page_key = next_page_key.filter(|k| !k.is_empty());
        Self {
            items,
            next_page_key,
            next_page_url,
        }
    }
}
