//! Keyset pages for the relay's web console: rows newest first, each page
//! the rows with an id below the last one shown, so the ten-thousandth page
//! of a million events costs what the first does (an index range, never an
//! `OFFSET`).

use serde::Serialize;

/// Which events a console page shows (newest first).
#[derive(Debug, Clone, Default)]
pub struct EventSearch {
    /// Only this provider (`gumroad`, `gank`).
    pub provider: Option<String>,
    /// Only this normalized kind or platform event name.
    pub kind: Option<String>,
    /// Only events received at or after this time ([`super::timestamp`] format).
    pub since: Option<String>,
    /// Only events received before this time ([`super::timestamp`] format).
    pub until: Option<String>,
    /// Only events whose dedup key, subject, event name or normalized event
    /// contain this text (case-insensitive for ASCII letters).
    pub text: Option<String>,
    /// The page: rows below its cursor, at most its limit.
    pub page: Page,
}

/// One keyset page: at most `limit` rows with an id below `before`, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// The id of the last row of the page before (`None`: the first page).
    pub before: Option<i64>,
    /// Rows in the page.
    pub limit: u64,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            before: None,
            limit: 50,
        }
    }
}

impl Page {
    /// The page holding exactly the row `id`, if it exists.
    pub fn only(id: i64) -> Self {
        Self {
            before: id.checked_add(1),
            limit: 1,
        }
    }
}

/// Delivery attempts started in one hour for events of one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryHour {
    /// The hour, `2026-03-14T10` (UTC).
    pub hour: String,
    /// The events' provider.
    pub provider: String,
    /// Attempts started.
    pub attempts: i64,
    /// Of them, answered with a 2xx status.
    pub delivered: i64,
    /// Mean forwarding latency, milliseconds.
    pub mean_latency_ms: i64,
    /// Slowest attempt, milliseconds.
    pub max_latency_ms: i64,
}

/// `%text%` for a `LIKE … ESCAPE '\'` that matches `text` literally, lowercased.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_matches_literally_and_pages_hold_one_row_when_asked() {
        assert_eq!(contains_pattern("50%_Off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(
            Page::only(7),
            Page {
                before: Some(8),
                limit: 1
            }
        );
        assert_eq!(Page::only(i64::MAX).before, None);
    }
}
