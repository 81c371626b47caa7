//! A conformance suite generic over any implementation of the core traits.
//!
//! Each provider crate describes what its mock server holds (a `*Case`) and
//! calls the matching check; the same checks run against [`FakeProvider`](crate::FakeProvider)
//! here. Checks panic with a message naming the rule that failed.
//!
//! Rules:
//! - lists stream to the end, with no duplicate ids, and respect `max_pages`
//!   (one page fetched for `max_pages(1)`, counted by the mock's [`PageCounter`]);
//! - lists are lazy: `collect` with a limit stops at the page that completes
//!   it (counted, not assumed);
//! - every filter is honoured on every item, and yields the expected count;
//! - subscribers are listed with their real status, and `active_only` leaves
//!   out exactly those without access;
//! - missing ids are `Error::NotFound`; capabilities the platform lacks are
//!   `Error::Unsupported`, never a panic or a silently wider list;
//! - webhooks verify before they parse, a tampered body fails verification,
//!   and an unknown event type verifies and parses into `EventKind::Unknown`;
//! - access checks yield the expected reason per query, `Unsupported` where
//!   the platform cannot say; writes reject bad input first, are
//!   `Unsupported` where the platform has none, and change the verdict.

use std::collections::HashSet;

use creator_core::{
    Access, AccessQuery, AccessReason, DateRange, Error, EventKind, IdempotencyKey, KeyHandling,
    PersonSearch, ProductQuery, Products, RefundAmount, SaleActions, SaleQuery, Sales,
    SubscriberQuery, Subscribers, SubscriptionStatus, WebhookDelivery, Webhooks, collect,
};
use futures::StreamExt;

use crate::PageCounter;

/// What a provider's mock holds for the [`products`] check.
#[derive(Debug, Clone, Default)]
pub struct ProductsCase {
    /// How many products the full listing yields.
    pub total: usize,
    /// An id that exists.
    pub known_id: String,
    /// An id that does not exist.
    pub unknown_id: String,
    /// Counts the listing pages the mock serves, and no other request
    /// (not a product read by id).
    pub pages: PageCounter,
}

/// Checks [`Products`].
///
/// # Panics
/// When a rule is broken.
pub async fn products<P: Products + ?Sized>(p: &P, case: &ProductsCase) {
    let before = case.pages.get();
    let all = collect(p.list_products(ProductQuery::new()), None)
        .await
        .unwrap_or_else(|e| panic!("products: listing failed: {e}"));
    let all_pages = case.pages.get() - before;
    assert_eq!(
        all.len(),
        case.total,
        "products: pagination must reach the last page"
    );
    assert!(
        all_pages >= 1,
        "products: the case's page counter saw no page: count the listing's pages in the mock"
    );
    assert_unique(all.iter().map(|x| x.id.clone()), "products");
    assert!(
        all.iter().all(|x| x.provider == p.provider()),
        "products: provider tag"
    );

    let before = case.pages.get();
    let first = collect(p.list_products(ProductQuery::new().max_pages(1)), None)
        .await
        .unwrap_or_else(|e| panic!("products: first page failed: {e}"));
    assert_eq!(
        case.pages.get() - before,
        1,
        "products: max_pages(1) fetches exactly one page"
    );
    if all_pages > 1 {
        assert!(
            first.len() < all.len(),
            "products: max_pages(1) yields less than the {all_pages} pages of the full listing"
        );
    }
    assert_eq!(
        first.iter().map(|x| &x.id).collect::<Vec<_>>(),
        all.iter()
            .take(first.len())
            .map(|x| &x.id)
            .collect::<Vec<_>>(),
        "products: the first page is a prefix of the full listing"
    );

    let one = p
        .product(&case.known_id)
        .await
        .unwrap_or_else(|e| panic!("products: get known id: {e}"));
    assert_eq!(one.id, case.known_id, "products: get returns the asked id");
    expect_not_found(
        p.product(&case.unknown_id).await.map(|_| ()),
        "products: get unknown id",
    );
}

/// What a provider's mock holds for the [`sales`] check. Filters set to `None`
/// are skipped; `unsupported_*` flags say the platform lacks that capability.
#[derive(Debug, Clone, Default)]
pub struct SalesCase {
    /// How many sales the unfiltered listing yields (`None`: listing unsupported).
    pub total: Option<usize>,
    /// A product filter and how many sales it yields.
    pub by_product: Option<(String, usize)>,
    /// An email filter and how many sales it yields.
    pub by_email: Option<(String, usize)>,
    /// A date range and how many sales it yields.
    pub by_range: Option<(DateRange, usize)>,
    /// An existing sale id (`None`: getting one sale is unsupported).
    pub known_id: Option<String>,
    /// A sale id that does not exist.
    pub unknown_id: String,
    /// Counts the listing pages the mock serves (filtered or not; the check
    /// reads it around each listing), and no other request.
    pub pages: PageCounter,
}

/// Checks [`Sales`].
///
/// # Panics
/// When a rule is broken.
pub async fn sales<S: Sales + ?Sized>(s: &S, case: &SalesCase) {
    match case.total {
        Some(total) => {
            let before = case.pages.get();
            let all = collect(s.list_sales(SaleQuery::new()), None)
                .await
                .unwrap_or_else(|e| panic!("sales: listing failed: {e}"));
            let all_pages = case.pages.get() - before;
            assert_eq!(
                all.len(),
                total,
                "sales: pagination must reach the last page"
            );
            assert_unique(all.iter().map(|x| x.id.clone()), "sales");
            assert!(
                all_pages >= 1,
                "sales: the case's page counter saw no page: count the listing's pages in the mock"
            );

            let before = case.pages.get();
            let first = collect(s.list_sales(SaleQuery::new().max_pages(1)), None)
                .await
                .unwrap_or_else(|e| panic!("sales: first page failed: {e}"));
            assert_eq!(
                case.pages.get() - before,
                1,
                "sales: max_pages(1) fetches exactly one page"
            );
            let per_page = first.len();
            assert_eq!(
                first.iter().map(|x| &x.id).collect::<Vec<_>>(),
                all.iter().take(per_page).map(|x| &x.id).collect::<Vec<_>>(),
                "sales: the first page is a prefix of the full listing"
            );
            if all_pages > 1 {
                assert!(
                    per_page < total,
                    "sales: max_pages(1) yields less than the {all_pages} pages of the full listing"
                );
            }

            // Pages hold as many sales as the first (as every mock here serves them),
            // so three sales take this many pages, and a lazy listing fetches no more.
            if total >= 3 && per_page > 0 {
                let needed = 3usize.div_ceil(per_page);
                let before = case.pages.get();
                let limited = collect(s.list_sales(SaleQuery::new()), Some(3))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(limited.len(), 3, "sales: collect with a limit");
                assert_eq!(
                    case.pages.get() - before,
                    needed,
                    "sales: collect with a limit of 3 stops after the {needed} page(s) of \
                     {per_page} sales that hold them (the full listing takes {all_pages})"
                );
            }
        }
        None => expect_unsupported_stream(s.list_sales(SaleQuery::new()), "sales: listing").await,
    }
    if let Some((product, count)) = &case.by_product {
        let got = collect(s.list_sales(SaleQuery::new().product(product)), None)
            .await
            .unwrap_or_else(|e| panic!("sales: product filter failed: {e}"));
        assert_eq!(got.len(), *count, "sales: product filter count");
        assert!(
            got.iter().all(|x| x.product_id.as_deref() == Some(product)),
            "sales: product filter honoured on every page"
        );
    }
    if let Some((email, count)) = &case.by_email {
        let got = collect(s.list_sales(SaleQuery::new().email(email)), None)
            .await
            .unwrap_or_else(|e| panic!("sales: email filter failed: {e}"));
        assert_eq!(got.len(), *count, "sales: email filter count");
        assert!(
            got.iter()
                .all(|x| x.customer.email.as_deref() == Some(email)),
            "sales: email filter honoured on every page"
        );
    }
    if let Some((range, count)) = &case.by_range {
        let mut q = SaleQuery::new();
        q.range = *range;
        let got = collect(s.list_sales(q), None)
            .await
            .unwrap_or_else(|e| panic!("sales: date filter failed: {e}"));
        assert_eq!(got.len(), *count, "sales: date filter count");
        assert!(
            got.iter()
                .all(|x| x.created_at.is_some_and(|t| range.contains(t.date()))),
            "sales: date filter honoured on every page"
        );
    }
    match &case.known_id {
        Some(id) => {
            let one = s
                .sale(id)
                .await
                .unwrap_or_else(|e| panic!("sales: get known id: {e}"));
            assert_eq!(&one.id, id, "sales: get returns the asked id");
            expect_not_found(
                s.sale(&case.unknown_id).await.map(|_| ()),
                "sales: get unknown id",
            );
        }
        None => expect_unsupported(s.sale(&case.unknown_id).await.map(|_| ()), "sales: get one"),
    }
}

/// What a provider's mock holds for the [`subscribers`] check.
#[derive(Debug, Clone, Default)]
pub struct SubscribersCase {
    /// How many subscribers the unfiltered listing yields.
    pub total: usize,
    /// How many have access now (`active_only`).
    pub active: usize,
    /// A product/tier filter and how many it yields.
    pub by_product: Option<(String, usize)>,
    /// Searches the platform supports, with how many each yields.
    pub searches: Vec<(PersonSearch, usize)>,
    /// Searches the platform cannot do: each must yield `Unsupported` first.
    pub unsupported_searches: Vec<PersonSearch>,
    /// A subscription id and its expected status.
    pub status_of: Option<(String, SubscriptionStatus)>,
    /// A subscription id that does not exist.
    pub unknown_id: String,
    /// Subscribers the full listing must report with these statuses (include
    /// some without access: cancelled, ended).
    pub listed_statuses: Vec<(String, SubscriptionStatus)>,
}

/// Checks [`Subscribers`].
///
/// # Panics
/// When a rule is broken.
pub async fn subscribers<S: Subscribers + ?Sized>(s: &S, case: &SubscribersCase) {
    let all = collect(s.list_subscribers(SubscriberQuery::new()), None)
        .await
        .unwrap_or_else(|e| panic!("subscribers: listing failed: {e}"));
    assert_eq!(
        all.len(),
        case.total,
        "subscribers: pagination must reach the last page"
    );
    assert_unique(all.iter().map(|x| x.id.clone()), "subscribers");
    for (id, status) in &case.listed_statuses {
        let listed = all
            .iter()
            .find(|x| &x.id == id)
            .unwrap_or_else(|| panic!("subscribers: {id} is not in the listing"));
        assert_eq!(
            &listed.status, status,
            "subscribers: status of {id} as listed"
        );
    }
    assert_eq!(
        all.iter().filter(|x| x.status.has_access()).count(),
        case.active,
        "subscribers: the listing's statuses agree with the active count"
    );

    let active = collect(
        s.list_subscribers(SubscriberQuery::new().active_only()),
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("subscribers: active_only failed: {e}"));
    assert_eq!(active.len(), case.active, "subscribers: active_only count");
    assert!(
        active.iter().all(|x| x.status.has_access()),
        "subscribers: active_only yields only subscribers with access"
    );
    for (id, status) in &case.listed_statuses {
        assert_eq!(
            active.iter().any(|x| &x.id == id),
            status.has_access(),
            "subscribers: active_only keeps {id} ({status:?}) only if it has access"
        );
    }
    if let Some((product, count)) = &case.by_product {
        let got = collect(
            s.list_subscribers(SubscriberQuery::new().product(product)),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("subscribers: product filter failed: {e}"));
        assert_eq!(got.len(), *count, "subscribers: product filter count");
        assert!(
            got.iter().all(|x| x.product_id.as_deref() == Some(product)),
            "subscribers: product filter honoured"
        );
    }
    for (search, count) in &case.searches {
        let got = collect(
            s.list_subscribers(SubscriberQuery::new().search(search.clone())),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("subscribers: search {search:?} failed: {e}"));
        assert_eq!(got.len(), *count, "subscribers: search {search:?} count");
        let ok = |x: &creator_core::Subscriber| match search {
            PersonSearch::Email(e) => x.customer.email.as_ref() == Some(e),
            PersonSearch::NicknameExact(n) => x.customer.nickname.as_ref() == Some(n),
            PersonSearch::NicknameContains(n) => x
                .customer
                .nickname
                .as_ref()
                .is_some_and(|v| v.to_lowercase().contains(&n.to_lowercase())),
            _ => true,
        };
        assert!(
            got.iter().all(ok),
            "subscribers: search {search:?} honoured"
        );
    }
    for search in &case.unsupported_searches {
        expect_unsupported_stream(
            s.list_subscribers(SubscriberQuery::new().search(search.clone())),
            "subscribers: unsupported search",
        )
        .await;
    }
    if let Some((id, status)) = &case.status_of {
        let got = s
            .subscription_status(id)
            .await
            .unwrap_or_else(|e| panic!("subscribers: status: {e}"));
        assert_eq!(&got, status, "subscribers: status of {id}");
    }
    expect_not_found(
        s.subscription_status(&case.unknown_id).await.map(|_| ()),
        "subscribers: status of unknown id",
    );
}

/// Deliveries for the [`webhooks`] check.
#[derive(Debug, Clone)]
pub struct WebhooksCase {
    /// An authentic delivery.
    pub valid: WebhookDelivery,
    /// The kind it parses to.
    pub valid_kind: EventKind,
    /// The subject id it parses to.
    pub valid_subject: String,
    /// The same delivery with its body changed after signing, or without its credential.
    pub tampered: WebhookDelivery,
    /// An authentic delivery of an event type the library does not know.
    pub unknown_event: Option<WebhookDelivery>,
    /// An authentic delivery whose body is malformed.
    pub malformed: Option<WebhookDelivery>,
}

/// Checks [`Webhooks`].
///
/// # Panics
/// When a rule is broken.
pub async fn webhooks<W: Webhooks + ?Sized>(w: &W, case: &WebhooksCase) {
    w.verify(&case.valid)
        .unwrap_or_else(|e| panic!("webhooks: valid delivery must verify: {e}"));
    let event = w
        .parse(&case.valid)
        .unwrap_or_else(|e| panic!("webhooks: valid delivery must parse: {e}"));
    assert_eq!(event.kind, case.valid_kind, "webhooks: kind");
    assert_eq!(event.subject_id, case.valid_subject, "webhooks: subject id");
    assert_eq!(event.provider, w.provider(), "webhooks: provider tag");
    let again = w
        .receive(&case.valid)
        .unwrap_or_else(|e| panic!("webhooks: receive: {e}"));
    assert_eq!(
        event.identity(),
        again.identity(),
        "webhooks: a redelivery has the same dedup key"
    );

    match w.verify(&case.tampered) {
        Err(e) => assert!(
            e.is_verification_failure(),
            "webhooks: tampered delivery is a verification failure, got {e}"
        ),
        Ok(v) => panic!("webhooks: tampered delivery must not verify (got {v:?})"),
    }
    assert!(
        w.receive(&case.tampered).is_err(),
        "webhooks: receive rejects a tampered delivery"
    );

    if let Some(unknown) = &case.unknown_event {
        w.verify(unknown)
            .unwrap_or_else(|e| panic!("webhooks: an unknown event type must still verify: {e}"));
        let ev = w
            .parse(unknown)
            .unwrap_or_else(|e| panic!("webhooks: an unknown event type must parse: {e}"));
        assert!(
            matches!(ev.kind, EventKind::Unknown(_)),
            "webhooks: unknown event → EventKind::Unknown, got {:?}",
            ev.kind
        );
    }
    if let Some(bad) = &case.malformed {
        w.verify(bad)
            .unwrap_or_else(|e| panic!("webhooks: a malformed body must still verify: {e}"));
        // `parse` returns a `WebhookError`, like `verify`: the type says it
        // is a webhook error, the flag that it is not about authenticity.
        match w.parse(bad) {
            Err(e) => assert!(
                !e.is_verification_failure(),
                "webhooks: malformed body is a parse error, got {e}"
            ),
            Ok(ev) => panic!("webhooks: malformed body must not parse (got {ev:?})"),
        }
    }
}

fn assert_unique(ids: impl Iterator<Item = String>, what: &str) {
    let mut seen = HashSet::new();
    for id in ids {
        assert!(seen.insert(id.clone()), "{what}: id {id} yielded twice");
    }
}

fn expect_not_found(result: creator_core::Result<()>, what: &str) {
    match result {
        Err(e) if e.is_not_found() => {}
        Err(e) => panic!("{what}: expected Error::NotFound, got {e}"),
        Ok(()) => panic!("{what}: expected Error::NotFound, got a value"),
    }
}

fn expect_unsupported(result: creator_core::Result<()>, what: &str) {
    match result {
        Err(e) if e.is_unsupported() => {}
        Err(e) => panic!("{what}: expected Error::Unsupported, got {e}"),
        Ok(()) => panic!("{what}: expected Error::Unsupported, got a value"),
    }
}

async fn expect_unsupported_stream<T>(
    mut stream: futures::stream::BoxStream<'_, creator_core::Result<T>>,
    what: &str,
) {
    match stream.next().await {
        Some(Err(e)) if e.is_unsupported() => {}
        Some(Err(e)) => panic!("{what}: expected Error::Unsupported first, got {e}"),
        Some(Ok(_)) => panic!("{what}: expected Error::Unsupported first, got an item"),
        None => panic!("{what}: expected Error::Unsupported first, got an empty stream"),
    }
}

/// What a provider's mock holds for the [`access`] check.
#[derive(Debug, Clone, Default)]
pub struct AccessCase {
    /// Queries and the reason each must yield; name at least one per reason
    /// the platform can report.
    pub verdicts: Vec<(AccessQuery, AccessReason)>,
    /// Queries the platform cannot answer ([`Error::Unsupported`]).
    pub unsupported: Vec<AccessQuery>,
}

/// Checks [`Access`]:
/// - each query yields its reason, `granted` exactly when the reason grants,
///   the provider's tag, a deciding object unless not found, `since <= until`;
/// - empty products or persons are `Error::InvalidInput`, before any request;
/// - what the platform cannot say is `Error::Unsupported`, never a denial.
///
/// # Panics
/// When a rule is broken.
pub async fn access<A: Access + ?Sized>(a: &A, case: &AccessCase) {
    for (query, reason) in &case.verdicts {
        let v = a
            .check(query.clone())
            .await
            .unwrap_or_else(|e| panic!("access: {query:?} failed: {e}"));
        assert_eq!(v.reason, *reason, "access: reason for {query:?} ({v:?})");
        assert_eq!(
            v.granted,
            reason.grants(),
            "access: granted follows the reason"
        );
        assert_eq!(v.provider, a.provider(), "access: provider tag");
        assert_eq!(
            v.decided_by.is_none(),
            *reason == AccessReason::NotFound,
            "access: a deciding object unless nothing was found ({v:?})"
        );
        if let (Some(since), Some(until)) = (v.since, v.until) {
            assert!(since <= until, "access: since after until ({v:?})");
        }
    }
    for query in [
        AccessQuery::email("", "a@example.com"),
        AccessQuery::email("prod", ""),
    ] {
        match a.check(query).await {
            Err(Error::InvalidInput(_)) => {}
            other => panic!("access: an empty product or person is InvalidInput, got {other:?}"),
        }
    }
    for query in &case.unsupported {
        expect_unsupported(
            a.check(query.clone()).await.map(|_| ()),
            &format!("access: {query:?}"),
        );
    }
}

/// Panics unless `case` names every [`AccessReason`] (for the fake, which
/// can report them all).
///
/// # Panics
/// When a reason is missing.
pub fn assert_covers_every_reason(case: &AccessCase) {
    for reason in AccessReason::ALL {
        assert!(
            case.verdicts.iter().any(|(_, r)| *r == reason),
            "access: no case for {reason}"
        );
    }
}

/// What a provider's mock holds for the [`sale_actions`] check.
#[derive(Debug, Clone, Default)]
pub struct ActionsCase {
    /// A sale the writes succeed on; `None` when the platform supports none
    /// of them (every call must then be `Error::Unsupported`).
    pub sale_id: Option<String>,
    /// A sale that does not exist.
    pub unknown_sale_id: String,
    /// A partial amount to refund.
    pub partial: Option<creator_core::Money>,
    /// When set, the access query for `sale_id`'s buyer: after a revoke it
    /// must deny with [`AccessReason::AccessRevoked`], after a restore it must
    /// grant again (for providers whose state changes, like the fake).
    pub follow_up: Option<AccessQuery>,
}

/// Checks [`SaleActions`]: zero partial refunds are rejected before any
/// request, unknown sales are `Error::NotFound`, revoke and restore succeed
/// (and change the verdict, when `follow_up` is set), and a platform without
/// writes answers `Error::Unsupported` to each.
///
/// # Panics
/// When a rule is broken.
pub async fn sale_actions<S: SaleActions + ?Sized, A: Access + ?Sized>(
    s: &S,
    access: Option<&A>,
    case: &ActionsCase,
) {
    let key = IdempotencyKey::new("conformance-1").expect("a valid key");
    let Some(sale) = &case.sale_id else {
        expect_unsupported(
            s.refund("any", RefundAmount::Full, &key).await.map(|_| ()),
            "actions: refund",
        );
        expect_unsupported(
            s.revoke_access("any", &key).await.map(|_| ()),
            "actions: revoke",
        );
        expect_unsupported(
            s.restore_access("any", &key).await.map(|_| ()),
            "actions: restore",
        );
        return;
    };
    let zero = RefundAmount::Partial(creator_core::Money::from_minor(
        0,
        creator_core::Currency::USD,
    ));
    match s.refund(sale, zero, &key).await {
        Err(Error::InvalidInput(_)) => {}
        other => panic!("actions: a zero partial refund is InvalidInput, got {other:?}"),
    }
    let revoked = s
        .revoke_access(sale, &key)
        .await
        .unwrap_or_else(|e| panic!("actions: revoke failed: {e}"));
    assert_eq!(revoked.provider, s.provider(), "actions: provider tag");
    if let (Some(a), Some(q)) = (access, &case.follow_up) {
        let v = a.check(q.clone()).await.expect("access after revoke");
        assert_eq!(
            v.reason,
            AccessReason::AccessRevoked,
            "actions: revoke denies access"
        );
    }
    s.restore_access(sale, &key)
        .await
        .unwrap_or_else(|e| panic!("actions: restore failed: {e}"));
    if let (Some(a), Some(q)) = (access, &case.follow_up) {
        let v = a.check(q.clone()).await.expect("access after restore");
        assert!(v.granted, "actions: restore grants access again ({v:?})");
    }
    if let Some(amount) = case.partial {
        s.refund(sale, RefundAmount::Partial(amount), &key)
            .await
            .unwrap_or_else(|e| panic!("actions: partial refund failed: {e}"));
    }
    let full = s
        .refund(sale, RefundAmount::Full, &key)
        .await
        .unwrap_or_else(|e| panic!("actions: full refund failed: {e}"));
    assert_ne!(
        full.idempotency,
        KeyHandling::NotHonoured,
        "actions: a full refund is idempotent at least by state"
    );
    if let (Some(a), Some(q)) = (access, &case.follow_up) {
        let v = a.check(q.clone()).await.expect("access after refund");
        assert_eq!(
            v.reason,
            AccessReason::Refunded,
            "actions: refund denies access"
        );
    }
    expect_not_found(
        s.revoke_access(&case.unknown_sale_id, &key)
            .await
            .map(|_| ()),
        "actions: revoke of an unknown sale",
    );
}
