//! Money as integer minor units with an ISO 4217 currency; never floating point.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code, stored upper-case (`USD`, `JPY`).
///
/// Platforms disagree on case (Gumroad products send `usd`, payouts `USD`);
/// both parse to the same value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency(*b"JPY");

    /// Parses a three-letter code in any case.
    ///
    /// # Errors
    /// [`MoneyError::InvalidCurrency`] unless the code is exactly three ASCII letters.
    pub fn new(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(MoneyError::InvalidCurrency(code.to_owned())),
        }
    }

    /// The upper-case code.
    pub fn code(&self) -> &str {
        // Only ever built from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point in this currency's minor unit (ISO 4217):
    /// 0 for JPY, KRW and other zero-decimal currencies, 3 for BHD, KWD and the
    /// like, 2 otherwise.
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            _ => 2,
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::new(&code).map_err(serde::de::Error::custom)
    }
}

/// Why an amount or currency could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Not a three-letter currency code.
    #[error("`{0}` is not an ISO 4217 currency code")]
    InvalidCurrency(String),
    /// Not a decimal number.
    #[error("`{0}` is not a decimal amount")]
    InvalidAmount(String),
    /// More fractional digits than the currency has (e.g. `"1.5"` yen), which would lose value.
    #[error("`{amount}` has more decimal places than {currency} allows ({exponent})")]
    TooPrecise {
        /// The amount as given.
        amount: String,
        /// The currency.
        currency: Currency,
        /// The currency's number of decimal places.
        exponent: u32,
    },
    /// The amount does not fit in `i64` minor units.
    #[error("`{0}` is too large")]
    Overflow(String),
}

/// An amount of money: integer minor units (cents, or whole yen) and a currency.
///
/// ```
/// use creator_core::{Currency, Money};
///
/// let price = Money::from_decimal_str("19.99", Currency::USD)?;
/// assert_eq!(price.minor_units(), 1999);
/// let yen = Money::from_decimal_str("1200", Currency::JPY)?;
/// assert_eq!(yen.minor_units(), 1200);
/// assert_eq!(yen.to_string(), "1200 JPY");
/// # Ok::<(), creator_core::MoneyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor_units: i64,
    currency: Currency,
}

impl Money {
    /// From minor units (cents for USD, yen for JPY).
    pub const fn from_minor(minor_units: i64, currency: Currency) -> Self {
        Self {
            minor_units,
            currency,
        }
    }

    /// The amount in minor units.
    pub const fn minor_units(&self) -> i64 {
        self.minor_units
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Parses a decimal amount in major units (`"4.99"`, `"-0.5"`, `"1e2"`, `"1200"`)
    /// exactly, without floating point.
    ///
    /// Trailing zeros beyond the currency's precision are accepted (`"4.990"`),
    /// other extra digits are an error rather than a silent rounding.
    ///
    /// # Errors
    /// [`MoneyError::InvalidAmount`], [`MoneyError::TooPrecise`] or [`MoneyError::Overflow`].
    pub fn from_decimal_str(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        let minor = decimal_to_minor(amount, currency.exponent()).map_err(|e| match e {
            DecimalError::Invalid => MoneyError::InvalidAmount(amount.to_owned()),
            DecimalError::Overflow => MoneyError::Overflow(amount.to_owned()),
            DecimalError::TooPrecise => MoneyError::TooPrecise {
                amount: amount.to_owned(),
                currency,
                exponent: currency.exponent(),
            },
        })?;
        Ok(Self::from_minor(minor, currency))
    }

    /// Parses a JSON amount in major units that may be a string (`"4.99"`) or a
    /// number (`4.99`), losslessly.
    ///
    /// A JSON number is read through its shortest round-trip text, so `4.99`
    /// becomes 499 cents, never 498.
    ///
    /// # Errors
    /// As [`Money::from_decimal_str`], and [`MoneyError::InvalidAmount`] for other JSON types.
    pub fn from_json_major(
        value: &serde_json::Value,
        currency: Currency,
    ) -> Result<Self, MoneyError> {
        match value {
            serde_json::Value::String(s) => Self::from_decimal_str(s, currency),
            serde_json::Value::Number(n) => Self::from_decimal_str(&n.to_string(), currency),
            other => Err(MoneyError::InvalidAmount(other.to_string())),
        }
    }

    /// The amount in major units as an exact decimal string (`"19.99"`, `"1200"`).
    pub fn to_decimal_string(&self) -> String {
        let exp = self.currency.exponent();
        if exp == 0 {
            return self.minor_units.to_string();
        }
        let scale = 10u64.pow(exp);
        let abs = self.minor_units.unsigned_abs();
        let sign = if self.minor_units < 0 { "-" } else { "" };
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exp as usize
        )
    }

    /// Adds two amounts of the same currency; `None` on currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency).then_some(())?;
        Some(Money::from_minor(
            self.minor_units.checked_add(other.minor_units)?,
            self.currency,
        ))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum DecimalError {
    Invalid,
    TooPrecise,
    Overflow,
}

/// Converts a decimal string in major units to minor units with `exponent` digits.
fn decimal_to_minor(input: &str, exponent: u32) -> Result<i64, DecimalError> {
    let s = input.trim();
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    // Split off a scientific exponent (serde_json prints large/small floats as `1e21`).
    let (mantissa, sci_exp) = match s.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = s[i + 1..].parse().map_err(|_| DecimalError::Invalid)?;
            (&s[..i], e)
        }
        None => (s, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !digits_ok(int_part)
        || !digits_ok(frac_part)
    {
        return Err(DecimalError::Invalid);
    }
    // All digits, and where the decimal point sits after applying the exponent.
    let digits: String = [int_part, frac_part].concat();
    let point =
        i64::try_from(int_part.len()).map_err(|_| DecimalError::Overflow)? + i64::from(sci_exp);
    // Minor units = digits with the point moved `exponent` places right.
    let trimmed = digits.trim_start_matches('0');
    // Leading zeros removed from the front move the point left by as many places.
    let shift = point + i64::from(exponent)
        - i64::try_from(digits.len() - trimmed.len()).map_err(|_| DecimalError::Overflow)?;
    let digits = trimmed;
    let len = i64::try_from(digits.len()).map_err(|_| DecimalError::Overflow)?;
    let (kept, dropped): (&str, &str) = if shift >= len {
        (digits, "")
    } else if shift <= 0 {
        ("", digits)
    } else {
        digits.split_at(usize::try_from(shift).map_err(|_| DecimalError::Overflow)?)
    };
    if dropped.bytes().any(|b| b != b'0') {
        return Err(DecimalError::TooPrecise);
    }
    let zeros = u32::try_from((shift - len).max(0)).map_err(|_| DecimalError::Overflow)?;
    let mut value: i64 = 0;
    for b in kept.bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or(DecimalError::Overflow)?;
    }
    if value != 0 {
        value = value
            .checked_mul(10i64.checked_pow(zeros).ok_or(DecimalError::Overflow)?)
            .ok_or(DecimalError::Overflow)?;
    }
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(s: &str) -> Result<i64, MoneyError> {
        Money::from_decimal_str(s, Currency::USD).map(|m| m.minor_units())
    }

    #[test]
    fn parses_decimal_strings_exactly() {
        let table: &[(&str, i64)] = &[
            ("19.99", 1999),
            ("4.99", 499),
            ("0.1", 10),
            ("0.01", 1),
            (".5", 50),
            ("5.", 500),
            ("1200", 120_000),
            ("-3.50", -350),
            ("+2", 200),
            ("4.990", 499),
            ("1e2", 10_000),
            ("1.5E1", 1_500),
            ("25e-2", 25),
            ("0", 0),
            ("0.00", 0),
            (" 7.25 ", 725),
            ("92233720368547758.07", i64::MAX),
        ];
        for (input, want) in table {
            assert_eq!(usd(input), Ok(*want), "input {input:?}");
        }
    }

    #[test]
    fn rejects_what_would_lose_value_or_is_not_a_number() {
        for bad in [
            "", "-", ".", "abc", "1.2.3", "1,00", "$4.99", "4.99 USD", "1e", "0x10", "--1",
        ] {
            assert!(
                matches!(usd(bad), Err(MoneyError::InvalidAmount(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(usd("4.999"), Err(MoneyError::TooPrecise { .. })));
        assert!(matches!(usd("1e-3"), Err(MoneyError::TooPrecise { .. })));
        assert!(matches!(
            usd("92233720368547758.08"),
            Err(MoneyError::Overflow(_))
        ));
        assert!(matches!(usd("1e40"), Err(MoneyError::Overflow(_))));
    }

    #[test]
    fn zero_decimal_currencies_scale_by_one() {
        let yen = Money::from_decimal_str("1200", Currency::JPY).unwrap();
        assert_eq!(yen.minor_units(), 1200);
        assert_eq!(yen.to_decimal_string(), "1200");
        assert!(matches!(
            Money::from_decimal_str("1.5", Currency::JPY),
            Err(MoneyError::TooPrecise { exponent: 0, .. })
        ));
        assert_eq!(
            Money::from_decimal_str("1.000", Currency::new("kwd").unwrap())
                .unwrap()
                .minor_units(),
            1000
        );
        assert_eq!(Currency::new("krw").unwrap().exponent(), 0);
    }

    #[test]
    fn json_numbers_are_read_without_float_error() {
        // 19.99 * 100 in f64 is 1998.9999999999998; the text route is exact.
        for (json, want) in [
            ("19.99", 1999),
            ("4.99", 499),
            ("0.29", 29),
            ("1.005", -1),
            ("10", 1000),
            ("\"19.99\"", 1999),
        ] {
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            let got = Money::from_json_major(&value, Currency::USD).map(|m| m.minor_units());
            if want < 0 {
                assert!(got.is_err(), "{json}");
            } else {
                assert_eq!(got, Ok(want), "{json}");
            }
        }
        assert!(Money::from_json_major(&serde_json::json!(true), Currency::USD).is_err());
        assert!(Money::from_json_major(&serde_json::Value::Null, Currency::USD).is_err());
    }

    #[test]
    fn formats_and_round_trips() {
        for s in ["19.99", "-0.05", "0.00", "1234567.89"] {
            let m = Money::from_decimal_str(s, Currency::EUR).unwrap();
            assert_eq!(m.to_decimal_string(), s);
        }
        assert_eq!(
            Money::from_minor(-5, Currency::USD).to_string(),
            "-0.05 USD"
        );
        let json = serde_json::to_string(&Money::from_minor(499, Currency::USD)).unwrap();
        assert_eq!(json, r#"{"minor_units":499,"currency":"USD"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back.minor_units(), 499);
    }

    #[test]
    fn currency_codes_are_case_insensitive_and_checked() {
        assert_eq!(Currency::new("usd").unwrap(), Currency::USD);
        assert_eq!("Jpy".parse::<Currency>().unwrap(), Currency::JPY);
        for bad in ["", "us", "usdd", "u$d", "12a"] {
            assert!(Currency::new(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Money::from_minor(1, Currency::USD).checked_add(Money::from_minor(1, Currency::EUR)),
            None
        );
    }
}
