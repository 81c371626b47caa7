//! Gank amounts: US dollars, sent as JSON strings or numbers.

use std::fmt;

use creator_core::{Currency, Money};
use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};

/// An amount in US dollars exactly as Gank sent it, read losslessly.
///
/// Gank reports prices in dollars (`"rate_usd": 20`, a transaction's
/// `"price": "4.99"`), sometimes as a JSON number and sometimes as a string.
/// Both are read through [`Money::from_json_major`], so `19.99` becomes 1999
/// cents and never 1998. An amount that is not a decimal number, or has more
/// than two decimal places, is a decode error at its field path rather than a
/// silent rounding.
///
/// ```
/// use gank_api::Amount;
///
/// let a: Amount = serde_json::from_str("19.99")?;
/// let b: Amount = serde_json::from_str("\"19.99\"")?;
/// assert_eq!(a.money(), b.money());
/// assert_eq!(a.money().minor_units(), 1999);
/// assert_eq!(a.raw(), &serde_json::json!(19.99));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Amount {
    raw: serde_json::Value,
    money: Money,
}

impl Amount {
    /// The currency every Gank amount seen so far is in.
    pub const CURRENCY: Currency = Currency::USD;

    /// Reads an amount from a JSON string or number in dollars.
    ///
    /// # Errors
    /// [`creator_core::MoneyError`] when the value is not a decimal amount
    /// that fits in whole cents.
    pub fn from_json(raw: serde_json::Value) -> Result<Self, creator_core::MoneyError> {
        let money = Money::from_json_major(&raw, Self::CURRENCY)?;
        Ok(Self { raw, money })
    }

    /// The amount as [`Money`] (USD cents).
    pub fn money(&self) -> Money {
        self.money
    }

    /// The JSON value exactly as received (a string or a number).
    pub fn raw(&self) -> &serde_json::Value {
        &self.raw
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({} from {})", self.money, self.raw)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = serde_json::Value::deserialize(deserializer)?;
        Amount::from_json(raw).map_err(|e| de::Error::custom(format!("invalid dollar amount: {e}")))
    }
}

/// Serialized as the exact decimal string in dollars (`"19.99"`), plus the raw form.
impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Amount", 3)?;
        s.serialize_field("usd", &self.money.to_decimal_string())?;
        s.serialize_field("minor_units", &self.money.minor_units())?;
        s.serialize_field("raw", &self.raw)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_read_the_same_and_bad_values_are_errors() {
        for (json, cents) in [
            ("20", 2000),
            ("\"20\"", 2000),
            ("10.5", 1050),
            ("\"10.50\"", 1050),
            ("0.29", 29),
            ("\"0\"", 0),
        ] {
            let a: Amount = serde_json::from_str(json).unwrap();
            assert_eq!(a.money().minor_units(), cents, "{json}");
            assert_eq!(a.money().currency(), Currency::USD);
        }
        for bad in ["\"free\"", "true", "{}", "\"4.999\"", "null"] {
            let err = serde_json::from_str::<Amount>(bad).unwrap_err();
            assert!(
                err.to_string().contains("invalid dollar amount"),
                "{bad}: {err}"
            );
        }
    }
}
