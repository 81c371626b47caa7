//! The console's handlers and the templates they fill, one pair per page.
//! Handlers are axum-style: `Result<…, ConsoleError>`, the error turning
//! into its status and page.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bytes::Bytes;
use futures::TryStreamExt;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::chart::{self, Chart};
use super::session::{self, Session};
use super::{Console, ConsoleError, PAGE_SIZE};
use crate::commands::destinations::{
    check_name, check_url, not_found, secret_or_new, short_time, shown_url,
};
use crate::commands::parse_since;
use crate::ledger::{
    DeliveryStatus, DestinationChange, DestinationWrite, EventSearch, NewDestination, OutboxFilter,
    OutboxStats, Page, QuarantineFilter, Replay, ReplaySelection, StoredEvent, timestamp,
};

type Shared = State<Arc<Console>>;
pub(super) type PageResult = Result<Html<String>, ConsoleError>;

const STYLE: &str = include_str!("../../../templates/console/style.css");

/// The providers the filters offer.
const PROVIDERS: &[&str] = &["gumroad", "gank"];

/// How long a rotated-out secret keeps signing when the console rotates.
const KEEP_OLD_SECRET: time::Duration = time::Duration::hours(24);

pub(super) fn render(page: &impl Template) -> PageResult {
    Ok(Html(page.render()?))
}

fn parse_query<T: DeserializeOwned + Default>(raw: Option<String>) -> Result<T, ConsoleError> {
    match raw.as_deref() {
        None | Some("") => Ok(T::default()),
        Some(q) => serde_urlencoded::from_str(q).map_err(|e| {
            ConsoleError::BadRequest(format!("the address's query is not usable: {e}"))
        }),
    }
}

fn parse_form<T: DeserializeOwned>(body: &Bytes) -> Result<T, ConsoleError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|e| ConsoleError::BadRequest(format!("the form is not usable: {e}")))
}

/// A form field that was left empty is no filter.
fn filled(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// A body as text: UTF-8 as it is, anything else lossily, marked.
fn body_text(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(text) => text.to_owned(),
        Err(_) => format!(
            "(not UTF-8; shown lossily)\n{}",
            String::from_utf8_lossy(raw)
        ),
    }
}

/// Reads a whole (small) page of a stream.
async fn collect<T>(
    rows: futures::stream::BoxStream<'static, Result<T, crate::ledger::LedgerError>>,
) -> Result<Vec<T>, ConsoleError> {
    Ok(rows.try_collect().await?)
}

/// The rows of a page and the cursor of the next one, from `PAGE_SIZE + 1` rows.
fn split_page<T>(mut rows: Vec<T>, id: impl Fn(&T) -> i64) -> (Vec<T>, Option<i64>) {
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
    let next = if more { rows.last().map(id) } else { None };
    (rows, next)
}

fn probe_page(before: Option<i64>) -> Page {
    Page {
        before,
        limit: PAGE_SIZE + 1,
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "console/error.html")]
pub(super) struct ErrorPage {
    pub status: u16,
    pub message: String,
}

// ---- sign-in ------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    message: String,
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

pub(super) async fn home() -> Redirect {
    Redirect::to("/console/events")
}

pub(super) async fn style() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

pub(super) async fn login_form(State(c): Shared, headers: HeaderMap) -> Response {
    if c.sessions.of(&headers).is_ok() {
        return Redirect::to("/console/events").into_response();
    }
    render(&LoginPage {
        message: String::new(),
    })
    .into_response()
}

pub(super) async fn login(State(c): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let result = session::same_origin(&headers)
        .and_then(|()| parse_form::<LoginForm>(&body))
        .and_then(|form| c.sessions.sign_in(form.token.trim()));
    match result {
        Ok(id) => (
            StatusCode::SEE_OTHER,
            [
                (SET_COOKIE, session::set_cookie(Some(&id))),
                (axum::http::header::LOCATION, "/console/events".to_owned()),
            ],
        )
            .into_response(),
        Err(e @ ConsoleError::Forbidden(_)) => {
            let page = LoginPage {
                message: e.to_string(),
            };
            (StatusCode::FORBIDDEN, render(&page)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

pub(super) async fn logout(
    State(c): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ConsoleError> {
    let session = c.sessions.of(&headers)?;
    let form: CsrfForm = parse_form(&body)?;
    session.check_csrf(&headers, form.csrf.as_deref())?;
    c.sessions.sign_out(&headers);
    Ok((
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, session::set_cookie(None)),
            (axum::http::header::LOCATION, "/console/login".to_owned()),
        ],
    )
        .into_response())
}

/// The session of a request, and the same for a form: its CSRF token checked.
pub(super) fn signed_in(c: &Console, headers: &HeaderMap) -> Result<Session, ConsoleError> {
    c.sessions.of(headers)
}

fn checked_form<T: DeserializeOwned>(
    c: &Console,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ConsoleError> {
    let session = signed_in(c, headers)?;
    let csrf: CsrfForm = parse_form(body)?;
    session.check_csrf(headers, csrf.csrf.as_deref())?;
    parse_form(body)
}

// ---- events -------------------------------------------------------------

/// The events page's filters, as typed into its form.
#[derive(Debug, Default, Deserialize)]
struct EventQuery {
    provider: Option<String>,
    kind: Option<String>,
    since: Option<String>,
    until: Option<String>,
    q: Option<String>,
    before: Option<i64>,
}

impl EventQuery {
    /// The query string of the same filters at cursor `before`.
    fn at(&self, before: i64) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("provider", &self.provider),
            ("kind", &self.kind),
            ("since", &self.since),
            ("until", &self.until),
            ("q", &self.q),
        ]
        .into_iter()
        .filter_map(|(k, v)| filled(v).map(|v| (k, v)))
        .collect();
        pairs.push(("before", before.to_string()));
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

struct EventRow {
    id: i64,
    received_at: String,
    provider: String,
    kind: String,
    name: String,
    subject_id: String,
    test: bool,
    deliveries: i64,
}

#[derive(Template)]
#[template(path = "console/events.html")]
struct EventsPage {
    nav: &'static str,
    csrf: String,
    providers: &'static [&'static str],
    provider: String,
    kind: String,
    since: String,
    until: String,
    q: String,
    rows: Vec<EventRow>,
    next: Option<String>,
}

fn time_filter(
    name: &str,
    value: &Option<String>,
    now: time::OffsetDateTime,
) -> Result<Option<String>, ConsoleError> {
    filled(value)
        .map(|v| {
            parse_since(&v, now).map(timestamp).map_err(|_| {
                ConsoleError::BadRequest(format!(
                    "{name} `{v}` is not a time: use 2026-03-14, 2026-03-14T10:00:00Z, or an age like 30m, 24h, 7d"
                ))
            })
        })
        .transpose()
}

pub(super) async fn events(
    State(c): Shared,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let session = signed_in(&c, &headers)?;
    let query: EventQuery = parse_query(raw)?;
    let now = c.now();
    let search = EventSearch {
        provider: filled(&query.provider),
        kind: filled(&query.kind),
        since: time_filter("from", &query.since, now)?,
        until: time_filter("until", &query.until, now)?,
        text: filled(&query.q),
        page: probe_page(query.before),
    };
    let (rows, next) = split_page(collect(c.ledger.event_page(search)).await?, |e| e.id);
    render(&EventsPage {
        nav: "events",
        csrf: session.csrf.expose().to_owned(),
        providers: PROVIDERS,
        provider: opt(&filled(&query.provider)),
        kind: opt(&filled(&query.kind)),
        since: opt(&filled(&query.since)),
        until: opt(&filled(&query.until)),
        q: opt(&filled(&query.q)),
        next: next.map(|id| query.at(id)),
        rows: rows
            .into_iter()
            .map(|e| EventRow {
                id: e.id,
                received_at: short_time(&e.received_at),
                provider: e.provider,
                kind: e.kind,
                name: e.name,
                subject_id: e.subject_id,
                test: e.test,
                deliveries: e.deliveries,
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "console/event.html")]
struct EventPage {
    nav: &'static str,
    csrf: String,
    id: i64,
    facts: Vec<(&'static str, String)>,
    normalized: String,
    payload: String,
    raw_body: String,
    headers: String,
    field_errors: String,
    destinations: Vec<String>,
}

async fn one_event(c: &Console, id: i64) -> Result<StoredEvent, ConsoleError> {
    c.ledger
        .event_page(EventSearch {
            page: Page::only(id),
            ..EventSearch::default()
        })
        .try_next()
        .await?
        .filter(|e| e.id == id)
        .ok_or_else(|| ConsoleError::NotFound(format!("no event {id} in the ledger")))
}

pub(super) async fn event(State(c): Shared, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    let session = signed_in(&c, &headers)?;
    let e = one_event(&c, id).await?;
    let document = crate::relay::forward::body::document(&e);
    let payload = document
        .get("data")
        .and_then(|d| d.get("payload"))
        .cloned()
        .unwrap_or_default();
    let destinations = c
        .ledger
        .destinations()
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    render(&EventPage {
        nav: "events",
        csrf: session.csrf.expose().to_owned(),
        id: e.id,
        facts: vec![
            ("provider", e.provider.clone()),
            ("kind", e.kind.clone()),
            ("name", e.name.clone()),
            ("subject", e.subject_id.clone()),
            ("received", e.received_at.clone()),
            ("last received", e.last_received_at.clone()),
            ("deliveries", e.deliveries.to_string()),
            ("occurred", opt(&e.occurred_at)),
            ("test", e.test.to_string()),
            ("verified", e.verified.clone()),
            ("endpoint", e.endpoint.clone()),
            ("dedup key", e.dedup_key.clone()),
            ("content type", opt(&e.content_type)),
        ],
        normalized: pretty(&e.event),
        payload: pretty(&payload),
        raw_body: body_text(&e.raw_body),
        headers: pretty(&e.headers),
        field_errors: pretty(&e.field_errors),
        destinations,
    })
}

// ---- quarantine ---------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct BeforeQuery {
    before: Option<i64>,
}

struct QuarantineRow {
    id: i64,
    received_at: String,
    endpoint: String,
    reason: String,
    status: u16,
    authenticated: bool,
    replayed_as: Option<i64>,
    error: String,
}

#[derive(Template)]
#[template(path = "console/quarantine.html")]
struct QuarantinePage {
    nav: &'static str,
    csrf: String,
    rows: Vec<QuarantineRow>,
    next: Option<i64>,
}

pub(super) async fn quarantine(
    State(c): Shared,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let session = signed_in(&c, &headers)?;
    let query: BeforeQuery = parse_query(raw)?;
    let rows = collect(c.ledger.quarantine_page(probe_page(query.before))).await?;
    let (rows, next) = split_page(rows, |q| q.id);
    render(&QuarantinePage {
        nav: "quarantine",
        csrf: session.csrf.expose().to_owned(),
        next,
        rows: rows
            .into_iter()
            .map(|q| QuarantineRow {
                id: q.id,
                received_at: short_time(&q.received_at),
                endpoint: q.endpoint,
                reason: q.reason,
                status: q.status,
                authenticated: q.authenticated,
                replayed_as: q.replayed_as,
                error: q.error,
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "console/quarantined.html")]
struct QuarantinedPage {
    nav: &'static str,
    csrf: String,
    id: i64,
    facts: Vec<(&'static str, String)>,
    error: String,
    headers: String,
    body: String,
    replayable: bool,
    replayed_as: Option<i64>,
}

pub(super) async fn quarantined(
    State(c): Shared,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> PageResult {
    let session = signed_in(&c, &headers)?;
    let q = c
        .ledger
        .quarantined(QuarantineFilter {
            id: Some(id),
            ..QuarantineFilter::default()
        })
        .try_next()
        .await?
        .ok_or_else(|| ConsoleError::NotFound(format!("no quarantined delivery {id}")))?;
    render(&QuarantinedPage {
        nav: "quarantine",
        csrf: session.csrf.expose().to_owned(),
        id: q.id,
        facts: vec![
            ("received", q.received_at.clone()),
            ("endpoint", q.endpoint.clone()),
            ("reason", q.reason.clone()),
            ("answered", q.status.to_string()),
            ("authenticated", q.authenticated.to_string()),
            ("verified", opt(&q.verified)),
            ("sender", opt(&q.peer)),
            ("content type", opt(&q.content_type)),
            ("body size", format!("{} bytes", q.body_size)),
            (
                "body kept",
                if q.body_truncated {
                    "first bytes only".into()
                } else {
                    "whole".into()
                },
            ),
            ("body sha-256", opt(&q.body_sha256)),
        ],
        error: q.error.clone(),
        headers: pretty(&q.headers),
        body: body_text(&q.raw_body),
        replayable: q.authenticated && q.replayed_as.is_none(),
        replayed_as: q.replayed_as,
    })
}

pub(super) async fn replay_quarantined(
    State(c): Shared,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Redirect, ConsoleError> {
    let _: CsrfForm = checked_form(&c, &headers, &body)?;
    crate::commands::quarantine::replay_one(&*c.ledger, id).await?;
    Ok(Redirect::to(&format!("/console/quarantine/{id}")))
}

// ---- deliveries ---------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct DeliveriesQuery {
    destination: Option<String>,
    status: Option<String>,
    before: Option<i64>,
    queued: Option<u64>,
}

struct MessageRow {
    id: i64,
    event_id: i64,
    kind: String,
    destination: String,
    status: String,
    attempts: i64,
    created_at: String,
    next_attempt_at: String,
    delivered_at: String,
    last_status: String,
    last_latency_ms: String,
    last_error: String,
}

#[derive(Template)]
#[template(path = "console/deliveries.html")]
struct DeliveriesPage {
    nav: &'static str,
    csrf: String,
    destinations: Vec<String>,
    statuses: &'static [&'static str],
    destination: String,
    status: String,
    stats: OutboxStats,
    rows: Vec<MessageRow>,
    next: Option<String>,
    queued: Option<u64>,
}

fn delivery_status(v: &str) -> Result<DeliveryStatus, ConsoleError> {
    <DeliveryStatus as clap::ValueEnum>::from_str(v, false)
        .map_err(|_| ConsoleError::BadRequest(format!("`{v}` is not a delivery status")))
}

pub(super) async fn deliveries(
    State(c): Shared,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let session = signed_in(&c, &headers)?;
    let query: DeliveriesQuery = parse_query(raw)?;
    let destination = filled(&query.destination);
    let status = filled(&query.status)
        .as_deref()
        .map(delivery_status)
        .transpose()?;
    let filter = OutboxFilter {
        destination: destination.clone(),
        status,
        limit: None,
    };
    let rows = collect(c.ledger.message_page(filter, probe_page(query.before))).await?;
    let (rows, next) = split_page(rows, |m| m.id);
    let next = next.map(|id| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(d) = &destination {
            pairs.push(("destination", d.clone()));
        }
        if let Some(s) = status {
            pairs.push(("status", s.as_str().to_owned()));
        }
        pairs.push(("before", id.to_string()));
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    });
    render(&DeliveriesPage {
        nav: "deliveries",
        csrf: session.csrf.expose().to_owned(),
        destinations: c
            .ledger
            .destinations()
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect(),
        statuses: &["pending", "failed", "delivered", "dead"],
        destination: opt(&destination),
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        stats: c.ledger.outbox_stats().await?,
        next,
        queued: query.queued,
        rows: rows
            .into_iter()
            .map(|m| MessageRow {
                id: m.id,
                event_id: m.event_id,
                kind: m.kind,
                destination: m.destination,
                status: m.status,
                attempts: m.attempts,
                created_at: short_time(&m.created_at),
                next_attempt_at: m
                    .next_attempt_at
                    .as_deref()
                    .map(short_time)
                    .unwrap_or_default(),
                delivered_at: m
                    .delivered_at
                    .as_deref()
                    .map(short_time)
                    .unwrap_or_default(),
                last_status: opt(&m.last_status),
                last_latency_ms: m
                    .last_latency_ms
                    .map(|l| format!("{l} ms"))
                    .unwrap_or_default(),
                last_error: opt(&m.last_error),
            })
            .collect(),
    })
}

#[derive(Deserialize)]
struct ReplayForm {
    event_id: i64,
    destination: Option<String>,
}

pub(super) async fn replay_event(
    State(c): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Redirect, ConsoleError> {
    let form: ReplayForm = checked_form(&c, &headers, &body)?;
    let destination = filled(&form.destination);
    let queued = c
        .ledger
        .replay(Replay {
            events: ReplaySelection::Ids(vec![form.event_id]),
            destination: destination.clone(),
            now: timestamp(c.now()),
        })
        .await?;
    let mut pairs = vec![("queued", queued.to_string())];
    if let Some(d) = destination {
        pairs.push(("destination", d));
    }
    Ok(Redirect::to(&format!(
        "/console/deliveries?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )))
}

// ---- destinations -------------------------------------------------------

struct DestinationRow {
    name: String,
    url: String,
    filters: String,
    enabled: bool,
    disabled_reason: String,
    previous_secrets: usize,
    updated_at: String,
}

#[derive(Template)]
#[template(path = "console/destinations.html")]
struct DestinationsPage {
    nav: &'static str,
    csrf: String,
    providers: &'static [&'static str],
    rows: Vec<DestinationRow>,
    /// A message about what was just done.
    notice: String,
    /// A new secret, shown this once: (destination, secret).
    new_secret: Option<(String, String)>,
}

async fn destinations_page(
    c: &Console,
    session: &Session,
    notice: String,
    new_secret: Option<(String, String)>,
) -> PageResult {
    let rows = c
        .ledger
        .destinations()
        .await?
        .into_iter()
        .map(|d| DestinationRow {
            filters: [d.provider.as_deref(), d.kind.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            url: shown_url(&d.url),
            name: d.name,
            enabled: d.enabled,
            disabled_reason: opt(&d.disabled_reason),
            previous_secrets: d.previous_secrets.len(),
            updated_at: short_time(&d.updated_at),
        })
        .collect();
    render(&DestinationsPage {
        nav: "destinations",
        csrf: session.csrf.expose().to_owned(),
        providers: PROVIDERS,
        rows,
        notice,
        new_secret,
    })
}

pub(super) async fn destinations(State(c): Shared, headers: HeaderMap) -> PageResult {
    let session = signed_in(&c, &headers)?;
    destinations_page(&c, &session, String::new(), None).await
}

#[derive(Deserialize)]
struct AddForm {
    name: String,
    url: String,
    provider: Option<String>,
    kind: Option<String>,
}

pub(super) async fn add_destination(
    State(c): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let form: AddForm = checked_form(&c, &headers, &body)?;
    let session = signed_in(&c, &headers)?;
    let name = form.name.trim().to_owned();
    check_name(&name)?;
    let warning = check_url(form.url.trim())?;
    let provider = filled(&form.provider);
    if let Some(p) = &provider
        && !PROVIDERS.contains(&p.as_str())
    {
        return Err(ConsoleError::BadRequest(format!("`{p}` is not a provider")));
    }
    let (secret, _) = secret_or_new(None)?;
    let written = c
        .ledger
        .add_destination(NewDestination {
            name: name.clone(),
            url: form.url.trim().to_owned(),
            secret: secret.clone(),
            provider,
            kind: filled(&form.kind),
            now: timestamp(c.now()),
        })
        .await?;
    match written {
        DestinationWrite::Done(_) => {
            let notice = match warning {
                Some(w) => format!("added destination {name}; {w}"),
                None => format!("added destination {name}"),
            };
            destinations_page(
                &c,
                &session,
                notice,
                Some((name, secret.expose().to_owned())),
            )
            .await
        }
        DestinationWrite::NameTaken => Err(ConsoleError::BadRequest(format!(
            "there is a destination named {name} already: choose another name"
        ))),
        DestinationWrite::NotFound => Err(ConsoleError::Internal(format!(
            "destination {name} could not be added"
        ))),
    }
}

#[derive(Deserialize)]
struct ChangeForm {
    reason: Option<String>,
}

pub(super) async fn change_destination(
    State(c): Shared,
    headers: HeaderMap,
    Path((name, action)): Path<(String, String)>,
    body: Bytes,
) -> PageResult {
    let form: ChangeForm = checked_form(&c, &headers, &body)?;
    let session = signed_in(&c, &headers)?;
    let now = c.now();
    let mut new_secret = None;
    let change = match action.as_str() {
        "enable" => DestinationChange::Enable,
        "disable" => DestinationChange::Disable {
            reason: filled(&form.reason).unwrap_or_else(|| "disabled in the console".into()),
        },
        "rotate" => {
            let (secret, _) = secret_or_new(None)?;
            new_secret = Some((name.clone(), secret.expose().to_owned()));
            DestinationChange::RotateSecret {
                secret,
                old_expires_at: timestamp(now + KEEP_OLD_SECRET),
            }
        }
        other => {
            return Err(ConsoleError::NotFound(format!(
                "`{other}` is not something a destination can do"
            )));
        }
    };
    match c
        .ledger
        .change_destination(&name, change, &timestamp(now))
        .await?
    {
        DestinationWrite::Done(_) => {
            let notice = match action.as_str() {
                "rotate" => format!(
                    "new secret for {name}; the old one keeps signing for {} hours",
                    KEEP_OLD_SECRET.whole_hours()
                ),
                done => format!("{done}d {name}"),
            };
            destinations_page(&c, &session, notice, new_secret).await
        }
        _ => Err(ConsoleError::from(not_found(&name))),
    }
}

// ---- activity -----------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct ActivityQuery {
    hours: Option<i64>,
}

#[derive(Template)]
#[template(path = "console/activity.html")]
struct ActivityPage {
    nav: &'static str,
    csrf: String,
    hours: i64,
    chart: Chart,
    width: u32,
    height: u32,
    rows: Vec<crate::ledger::DeliveryHour>,
}

pub(super) async fn activity(
    State(c): Shared,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let session = signed_in(&c, &headers)?;
    let query: ActivityQuery = parse_query(raw)?;
    let hours = query.hours.unwrap_or(24).clamp(1, 24 * 14);
    let since = timestamp(c.now() - time::Duration::hours(hours));
    let rows = c.ledger.delivery_hours(&since).await?;
    render(&ActivityPage {
        nav: "activity",
        csrf: session.csrf.expose().to_owned(),
        hours,
        chart: Chart::new(&rows),
        width: chart::WIDTH,
        height: chart::HEIGHT,
        rows,
    })
}
