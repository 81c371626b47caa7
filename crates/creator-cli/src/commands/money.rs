//! Amounts typed in major units (`12.50` dollars, `1500` yen), turned into
//! the minor units Gumroad takes, scaled by the right currency.

use creator_core::{Currency, Money};

use crate::CliError;

/// `amount` (given to `option`) in minor units of `currency`: not negative,
/// and not more precise than the currency allows.
///
/// # Errors
/// [`CliError::Usage`] naming the option and the problem.
pub fn minor_units(option: &str, amount: &str, currency: Currency) -> Result<u64, CliError> {
    let bad = |why: String| CliError::Usage(format!("{option} `{amount}`: {why}"));
    let money = Money::from_decimal_str(amount.trim(), currency).map_err(|e| bad(e.to_string()))?;
    u64::try_from(money.minor_units()).map_err(|_| bad("must not be negative".into()))
}

/// A partial refund in minor units: `amount` (given to `option`) in major
/// units of the sale's `currency`, above zero, and no more than `refundable`
/// (the sale's `amount_refundable_in_currency`) when the platform says it.
/// The one check for `creator sales refund` and the `sale_refund` tool.
///
/// # Errors
/// [`CliError::Usage`] naming the option and the problem.
pub fn partial_refund(
    option: &str,
    amount: &str,
    currency: Currency,
    refundable: Option<&str>,
) -> Result<u64, CliError> {
    let cents = minor_units(option, amount, currency)?;
    if cents == 0 {
        return Err(CliError::Usage(format!(
            "{option} `{amount}`: a refund amount must be above zero"
        )));
    }
    if let Some(left) = refundable.and_then(|r| Money::from_decimal_str(r.trim(), currency).ok())
        && u64::try_from(left.minor_units()).is_ok_and(|l| cents > l)
    {
        return Err(CliError::Usage(format!(
            "{option} {amount} {currency} is more than the {} {currency} left to refund on this sale",
            left.to_decimal_string()
        )));
    }
    Ok(cents)
}

/// The currency a sale's amounts are in, by one rule for `creator sales
/// refund` and the `sale_refund` tool: the `currency` Gumroad names (a code
/// it sells in); without one (sales read before the 2026 API fields), a
/// `$` symbol scales as US dollars: every currency Gumroad writes with `$`
/// alone has two decimals, so the minor units come out right. Anything
/// else cannot be scaled safely.
///
/// # Errors
/// [`CliError::Usage`] for an unknown code, or no code and no `$`; each
/// caller adds its own way out (`--currency`, or a full refund).
pub fn sale_currency(code: Option<&str>, symbol: Option<&str>) -> Result<Currency, CliError> {
    match (code.map(str::trim).filter(|c| !c.is_empty()), symbol.map(str::trim)) {
        (Some(code), _) => supported_currency(code),
        (None, Some("$")) => Ok(Currency::USD),
        (None, Some(symbol)) if !symbol.is_empty() => Err(CliError::Usage(format!(
            "Gumroad does not say which currency this sale is in (symbol `{symbol}`), so an amount cannot be scaled safely"
        ))),
        (None, _) => Err(CliError::Usage(
            "Gumroad does not say which currency this sale is in, so an amount cannot be scaled safely".to_owned(),
        )),
    }
}

/// A currency code Gumroad prices in (from its `config/currencies.json`),
/// so a typo never scales an amount by the wrong factor.
///
/// # Errors
/// [`CliError::Usage`] for any other code.
pub fn supported_currency(code: &str) -> Result<Currency, CliError> {
    const SUPPORTED: &[&str] = &[
        "usd", "gbp", "eur", "jpy", "inr", "aud", "cad", "hkd", "sgd", "twd", "nzd", "brl", "zar",
        "chf", "ils", "php", "krw", "pln", "czk",
    ];
    let lower = code.trim().to_ascii_lowercase();
    if !SUPPORTED.contains(&lower.as_str()) {
        return Err(CliError::Usage(format!(
            "`{code}` is not a currency Gumroad sells in"
        )));
    }
    Currency::new(&lower).map_err(|e| CliError::Usage(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sale_without_a_currency_scales_by_its_dollar_sign_or_not_at_all() {
        assert_eq!(
            sale_currency(Some("eur"), Some("$")).unwrap(),
            Currency::EUR
        );
        assert_eq!(sale_currency(None, Some("$")).unwrap(), Currency::USD);
        assert_eq!(sale_currency(Some(" "), Some("$")).unwrap(), Currency::USD);
        assert!(sale_currency(Some("xyz"), Some("$")).is_err());
        for symbol in [Some("¥"), Some("A$"), Some(""), None] {
            let e = sale_currency(None, symbol).unwrap_err().to_string();
            assert!(e.contains("does not say which currency"), "{symbol:?}: {e}");
        }
    }

    #[test]
    fn amounts_scale_by_their_currency() {
        assert_eq!(minor_units("--price", "12.5", Currency::USD).unwrap(), 1250);
        assert_eq!(minor_units("--price", "0", Currency::USD).unwrap(), 0);
        assert_eq!(minor_units("--price", "1500", Currency::JPY).unwrap(), 1500);
        for bad in ["-1", "1.234", "abc", ""] {
            assert!(minor_units("--price", bad, Currency::USD).is_err(), "{bad}");
        }
        assert!(supported_currency("jpyy").is_err());
        assert_eq!(supported_currency("JPY").unwrap(), Currency::JPY);
    }
}
