//! Filters for the list operations of the core traits.
//!
//! Every query is kept intact on every page a provider fetches.

use serde::Serialize;
use time::Date;

/// A range of calendar days (UTC): `after` inclusive, `before` exclusive,
/// matching Gumroad's `after`/`before` semantics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DateRange {
    /// First day included.
    pub after: Option<Date>,
    /// First day no longer included.
    pub before: Option<Date>,
}

impl DateRange {
    /// True when `day` falls in the range.
    pub fn contains(&self, day: Date) -> bool {
        self.after.is_none_or(|a| day >= a) && self.before.is_none_or(|b| day < b)
    }
}

/// How to find subscribers by who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PersonSearch {
    /// Exact email address.
    Email(String),
    /// Exact nickname (Gank).
    NicknameExact(String),
    /// Nickname containing this text (Gank's `LIKE '%…%'`).
    NicknameContains(String),
}

/// Filters for [`Products::list_products`](crate::Products::list_products).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProductQuery {
    /// Stop after this many pages (a safety cap), if set.
    pub max_pages: Option<u32>,
}

impl ProductQuery {
    /// All products.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }
}

/// Filters for [`Sales::list_sales`](crate::Sales::list_sales).
///
/// ```
/// use creator_core::SaleQuery;
/// use time::macros::date;
///
/// let q = SaleQuery::new().product("prod_1").after(date!(2025-01-01)).email("a@example.com");
/// assert_eq!(q.product_id.as_deref(), Some("prod_1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SaleQuery {
    /// Only sales within these days.
    pub range: DateRange,
    /// Only sales of this product.
    pub product_id: Option<String>,
    /// Only sales to this exact email.
    pub email: Option<String>,
    /// Stop after this many pages, if set.
    pub max_pages: Option<u32>,
    /// Walk the days as concurrent windows where the platform filters sales
    /// by day ([`window`](crate::window)); `None` walks one cursor.
    pub windows: Option<crate::window::Windowing>,
}

impl SaleQuery {
    /// All sales.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only sales on or after `day`.
    pub fn after(mut self, day: Date) -> Self {
        self.range.after = Some(day);
        self
    }

    /// Only sales before `day` (exclusive).
    pub fn before(mut self, day: Date) -> Self {
        self.range.before = Some(day);
        self
    }

    /// Only sales of one product.
    pub fn product(mut self, product_id: impl Into<String>) -> Self {
        self.product_id = Some(product_id.into());
        self
    }

    /// Only sales to one email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// Walks the days as concurrent windows, as `windows` says, where the
    /// platform can (Gumroad); elsewhere the list is walked as usual.
    pub fn windowed(mut self, windows: crate::window::Windowing) -> Self {
        self.windows = Some(windows);
        self
    }
}

/// Filters for [`Subscribers::list_subscribers`](crate::Subscribers::list_subscribers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SubscriberQuery {
    /// Only subscribers of this product or membership tier.
    pub product_id: Option<String>,
    /// Only subscribers with access now.
    pub active_only: bool,
    /// Only subscribers matching this person search.
    pub search: Option<PersonSearch>,
    /// Stop after this many pages, if set.
    pub max_pages: Option<u32>,
}

impl SubscriberQuery {
    /// All subscribers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only subscribers of one product or tier.
    pub fn product(mut self, product_id: impl Into<String>) -> Self {
        self.product_id = Some(product_id.into());
        self
    }

    /// Only subscribers with access now.
    pub fn active_only(mut self) -> Self {
        self.active_only = true;
        self
    }

    /// Only subscribers found by this search.
    pub fn search(mut self, search: PersonSearch) -> Self {
        self.search = Some(search);
        self
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn date_range_is_inclusive_after_exclusive_before() {
        let r = DateRange {
            after: Some(date!(2025 - 01 - 01)),
            before: Some(date!(2025 - 01 - 03)),
        };
        assert!(!r.contains(date!(2024 - 12 - 31)));
        assert!(r.contains(date!(2025 - 01 - 01)));
        assert!(r.contains(date!(2025 - 01 - 02)));
        assert!(!r.contains(date!(2025 - 01 - 03)));
        assert!(DateRange::default().contains(date!(1999 - 01 - 01)));
    }
}
