//! The shop-wide Gumroad commands: upsells, audience emails, workflows,
//! payouts and webhook subscriptions. Each subcommand is one line naming
//! its call ([`super::target`]).

use clap::{Args, Subcommand};
use futures::TryStreamExt;
use gumroad_api::{
    DelayUnit, EmailAudience, EmailsQuery, GumroadClient, GumroadEventName, NewEmail,
    NewWorkflowEmail, PayoutDetail, PayoutsQuery, PostState, ResourceSubscription, SendAt,
    UpsellOffer, UpsellParams, WorkflowEmailUpdate,
};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::parse_day;
use super::target::{Read, Write, confirm, list, object, plain};
use crate::CliError;
use crate::emit::Columns;

/// Something by its id.
#[derive(Debug, Clone, Args)]
pub struct Id {
    /// Its id.
    id: String,
}

/// No arguments of its own.
#[derive(Debug, Clone, Args)]
pub struct Nothing {}

// ---------------------------------------------------------------- upsells

/// `creator upsells`.
#[derive(Debug, Clone, Subcommand)]
pub enum UpsellCommand {
    /// List the shop's upsells and cross-sells.
    List(Read<Nothing>),
    /// One upsell.
    View(Read<Id>),
    /// Offer a product (`--cross-sell`) or a product's upgrade at checkout.
    Create(Write<NewUpsell>),
    /// Delete one (asks first).
    Delete(Write<Id>),
}

/// A new upsell.
#[derive(Debug, Clone, Args)]
pub struct NewUpsell {
    /// Its name (shown to you, not to buyers).
    name: String,
    /// The product offered.
    #[arg(long)]
    product: String,
    /// A cross-sell (another product offered with the cart) instead of an upsell.
    #[arg(long)]
    cross_sell: bool,
    /// The offer's text (shown to buyers).
    #[arg(long)]
    text: Option<String>,
    /// The offer's description.
    #[arg(long)]
    description: Option<String>,
    /// Cents off the offered product.
    #[arg(long, value_name = "MINOR_UNITS", conflicts_with = "percent_off")]
    amount_off_cents: Option<u64>,
    /// Percent off the offered product (1–100).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    percent_off: Option<u8>,
    /// Offer it when these products are in the cart (repeat).
    #[arg(long = "when", value_name = "PRODUCT_ID")]
    selected_products: Vec<String>,
    /// Create it paused.
    #[arg(long)]
    paused: bool,
}

const UPSELL_COLUMNS: Columns = &[("id", 26), ("name", 30), ("cross_sell", 10), ("paused", 6)];

/// Runs `creator upsells …`.
///
/// # Errors
/// Bad input, missing credentials, a platform error, or a refused confirmation.
pub async fn upsells(cmd: UpsellCommand) -> Result<(), CliError> {
    use UpsellCommand as U;
    match cmd {
        U::List(r) => {
            r.run(|c, _| list(UPSELL_COLUMNS, async move { c.upsells().list().await }))
                .await
        }
        U::View(r) => {
            r.run(|c, a| object(async move { c.upsells().get(&a.id).await }))
                .await
        }
        U::Create(w) => {
            w.run(|c, a| {
                let mut p = if a.cross_sell {
                    UpsellParams::cross_sell(a.name.clone(), a.product.clone())
                } else {
                    UpsellParams::upsell(a.name.clone(), a.product.clone())
                };
                if let Some(t) = &a.text {
                    p = p.text(t.clone());
                }
                if let Some(d) = &a.description {
                    p = p.description(d.clone());
                }
                if let Some(cents) = a.amount_off_cents {
                    p = p.offer(UpsellOffer::AmountCents(cents));
                }
                if let Some(pct) = a.percent_off {
                    p = p.offer(UpsellOffer::AmountPercentage(pct));
                }
                if !a.selected_products.is_empty() {
                    p = p.selected_products(a.selected_products.clone());
                }
                p = p.paused(a.paused);
                plain(format!("Created upsell {}", a.name), async move {
                    c.upsells().create(&p).await
                })
            })
            .await
        }
        U::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete upsell {}?", a.id),
                    format!("Deleted upsell {}", a.id),
                    async move { c.upsells().delete(&a.id).await },
                )
            })
            .await
        }
    }
}

// ---------------------------------------------------------------- emails

/// `creator emails`.
#[derive(Debug, Clone, Subcommand)]
pub enum EmailCommand {
    /// List audience emails, newest first.
    List(Read<EmailFilter>),
    /// One email.
    View(Read<Id>),
    /// Save a draft (or `--send-now`).
    Create(Write<NewEmailArgs>),
    /// Send yourself a preview of a draft.
    Preview(Write<Id>),
    /// Send a draft to its audience now (asks first: it cannot be unsent).
    Send(Write<Id>),
    /// Schedule a draft.
    Schedule(Write<ScheduleArgs>),
    /// Turn a scheduled email back into a draft.
    Unschedule(Write<Id>),
    /// Delete one (asks first).
    Delete(Write<Id>),
}

/// Which emails to list.
#[derive(Debug, Clone, Args)]
pub struct EmailFilter {
    /// Only emails in this state.
    #[arg(long, value_parser = ["draft", "scheduled", "published"])]
    state: Option<String>,
}

/// A new audience email.
#[derive(Debug, Clone, Args)]
pub struct NewEmailArgs {
    /// The subject.
    #[arg(long)]
    subject: String,
    /// The body (HTML); `-` reads it from standard input.
    #[arg(long, value_name = "HTML")]
    body: String,
    /// Who gets it: everyone, customers, followers, or the buyers of `--product`.
    #[arg(long, default_value = "everyone", value_parser = ["everyone", "customers", "followers", "product"])]
    audience: String,
    /// The product whose buyers get it (with `--audience product`).
    #[arg(long, required_if_eq("audience", "product"))]
    product: Option<String>,
    /// Send it on creation instead of saving a draft (asks first).
    #[arg(long)]
    send_now: bool,
}

/// When to send a draft.
#[derive(Debug, Clone, Args)]
pub struct ScheduleArgs {
    /// The email id.
    id: String,
    /// When: an instant (`2026-06-18T14:00:00Z`) or a time in the seller's
    /// time zone (`2026-06-18 14:00`).
    #[arg(long, value_name = "TIME")]
    at: String,
}

/// Parses `--at`.
fn send_at(value: &str) -> Result<SendAt, CliError> {
    let v = value.trim();
    if let Ok(t) = OffsetDateTime::parse(v, &Rfc3339) {
        return Ok(SendAt::Instant(t));
    }
    PrimitiveDateTime::parse(
        v,
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    )
    .map(SendAt::SellerLocal)
    .map_err(|_| {
        CliError::Usage(format!(
            "--at `{value}` is not a time: use 2026-06-18T14:00:00Z or `2026-06-18 14:00`"
        ))
    })
}

/// The body of `--body`: the text, or standard input for `-`.
fn body_text(body: &str) -> Result<String, CliError> {
    if body != "-" {
        return Ok(body.to_owned());
    }
    super::read_stdin()
}

const EMAIL_COLUMNS: Columns = &[
    ("id", 26),
    ("subject", 40),
    ("state", 10),
    ("published_at", 20),
];

/// Runs `creator emails …`.
///
/// # Errors
/// Bad input, missing credentials, a platform error, or a refused confirmation.
pub async fn emails(cmd: EmailCommand) -> Result<(), CliError> {
    use EmailCommand as E;
    match cmd {
        E::List(r) => {
            r.run(|c, a| {
                let mut query = EmailsQuery::new();
                if let Some(s) = &a.state {
                    query = query.state(PostState::parse(s));
                }
                list(EMAIL_COLUMNS, async move {
                    c.emails().list(&query).try_collect::<Vec<_>>().await
                })
            })
            .await
        }
        E::View(r) => {
            r.run(|c, a| object(async move { c.emails().get(&a.id).await }))
                .await
        }
        E::Create(w) => {
            w.run(|c, a| {
                let audience = match a.audience.as_str() {
                    "customers" => EmailAudience::Customers,
                    "followers" => EmailAudience::Followers,
                    "product" => EmailAudience::Product(a.product.clone().unwrap_or_default()),
                    _ => EmailAudience::Everyone,
                };
                let email = NewEmail::new(a.subject.clone(), body_text(&a.body)?)
                    .audience(audience)
                    .send_now(a.send_now);
                let send = async move { c.emails().create(&email).await };
                if a.send_now {
                    return confirm(
                        format!("Send `{}` to its audience now?", a.subject),
                        format!("Sent `{}`", a.subject),
                        send,
                    );
                }
                plain(format!("Saved draft `{}`", a.subject), send)
            })
            .await
        }
        E::Preview(w) => {
            w.run(|c, a| {
                plain(format!("Sent a preview of email {}", a.id), async move {
                    c.emails().preview(&a.id).await
                })
            })
            .await
        }
        E::Send(w) => {
            w.run(|c, a| {
                confirm(
                    format!(
                        "Send email {} to its audience now? It cannot be unsent.",
                        a.id
                    ),
                    format!("Sent email {}", a.id),
                    async move { c.emails().send(&a.id).await },
                )
            })
            .await
        }
        E::Schedule(w) => {
            w.run(|c, a| {
                let at = send_at(&a.at)?;
                plain(
                    format!("Scheduled email {} for {}", a.id, a.at),
                    async move { c.emails().schedule(&a.id, at).await },
                )
            })
            .await
        }
        E::Unschedule(w) => {
            w.run(|c, a| {
                plain(format!("Email {} is a draft again", a.id), async move {
                    c.emails().unschedule(&a.id).await
                })
            })
            .await
        }
        E::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete email {}?", a.id),
                    format!("Deleted email {}", a.id),
                    async move { c.emails().delete(&a.id).await },
                )
            })
            .await
        }
    }
}

// ---------------------------------------------------------------- workflows

/// `creator workflows`.
#[derive(Debug, Clone, Subcommand)]
pub enum WorkflowCommand {
    /// List the shop's workflows.
    List(Read<Nothing>),
    /// One workflow with its emails.
    View(Read<Id>),
    /// Add an email step to a workflow.
    AddEmail(Write<NewStep>),
    /// Change an email step.
    UpdateEmail(Write<StepUpdate>),
}

/// A new workflow email step.
#[derive(Debug, Clone, Args)]
pub struct NewStep {
    /// The workflow id.
    workflow: String,
    /// The subject.
    #[arg(long)]
    subject: String,
    /// The body (HTML); `-` reads it from standard input.
    #[arg(long, value_name = "HTML")]
    body: String,
    /// Send it this many `--unit`s after the trigger.
    #[arg(long, value_name = "N")]
    delay: u32,
    /// The delay's unit.
    #[arg(long, default_value = "day", value_parser = ["hour", "day", "week", "month"])]
    unit: String,
}

/// Changes to a workflow email step.
#[derive(Debug, Clone, Args)]
pub struct StepUpdate {
    /// The workflow id.
    workflow: String,
    /// The email step id.
    email: String,
    /// The new subject.
    #[arg(long)]
    subject: Option<String>,
    /// The new body (HTML); `-` reads it from standard input.
    #[arg(long, value_name = "HTML")]
    body: Option<String>,
    /// The new delay, in `--unit`s.
    #[arg(long, value_name = "N", requires = "unit")]
    delay: Option<u32>,
    /// The delay's unit.
    #[arg(long, value_parser = ["hour", "day", "week", "month"])]
    unit: Option<String>,
}

const WORKFLOW_COLUMNS: Columns = &[("id", 26), ("name", 30), ("trigger", 16), ("published", 9)];

/// Runs `creator workflows …`.
///
/// # Errors
/// Bad input, missing credentials, a platform error, or a refused confirmation.
pub async fn workflows(cmd: WorkflowCommand) -> Result<(), CliError> {
    use WorkflowCommand as W;
    match cmd {
        W::List(r) => {
            r.run(|c, _| list(WORKFLOW_COLUMNS, async move { c.workflows().list().await }))
                .await
        }
        W::View(r) => {
            r.run(|c, a| object(async move { c.workflows().get(&a.id).await }))
                .await
        }
        W::AddEmail(w) => {
            w.run(|c, a| {
                let step = NewWorkflowEmail::new(
                    a.subject.clone(),
                    body_text(&a.body)?,
                    a.delay,
                    DelayUnit::parse(&a.unit),
                );
                plain(
                    format!("Added `{}` to workflow {}", a.subject, a.workflow),
                    async move { c.workflow_emails(&a.workflow).create(&step).await },
                )
            })
            .await
        }
        W::UpdateEmail(w) => {
            w.run(|c, a| {
                let mut update = WorkflowEmailUpdate::new();
                if let Some(s) = &a.subject {
                    update = update.subject(s.clone());
                }
                if let Some(b) = &a.body {
                    update = update.body(body_text(b)?);
                }
                if let (Some(n), Some(u)) = (a.delay, &a.unit) {
                    update = update.delay(n, DelayUnit::parse(u));
                }
                if update == WorkflowEmailUpdate::new() {
                    return Err(CliError::Usage(
                        "nothing to change: pass --subject, --body or --delay".into(),
                    ));
                }
                plain(format!("Updated email {}", a.email), async move {
                    c.workflow_emails(&a.workflow)
                        .update(&a.email, &update)
                        .await
                })
            })
            .await
        }
    }
}

// ---------------------------------------------------------------- payouts

/// `creator payouts`.
#[derive(Debug, Clone, Subcommand)]
pub enum PayoutCommand {
    /// List payouts, newest first.
    List(Read<PayoutFilter>),
    /// One payout.
    View(Read<PayoutView>),
    /// The payouts Gumroad will make next.
    Upcoming(Read<PayoutExtras>),
}

/// Which payouts to list.
#[derive(Debug, Clone, Args)]
pub struct PayoutFilter {
    /// Only payouts on or after this day.
    #[arg(long, value_name = "DAY")]
    after: Option<String>,
    /// Only payouts before this day.
    #[arg(long, value_name = "DAY")]
    before: Option<String>,
    /// Include the upcoming payout.
    #[arg(long)]
    upcoming: bool,
}

/// What to include in a payout.
#[derive(Debug, Clone, Args)]
pub struct PayoutExtras {
    /// Include the sales it pays out.
    #[arg(long)]
    sales: bool,
    /// Include its transactions.
    #[arg(long)]
    transactions: bool,
}

impl PayoutExtras {
    fn detail(&self) -> PayoutDetail {
        PayoutDetail::new()
            .include_sales(self.sales)
            .include_transactions(self.transactions)
    }
}

/// One payout.
#[derive(Debug, Clone, Args)]
pub struct PayoutView {
    /// The payout id.
    id: String,
    #[command(flatten)]
    extras: PayoutExtras,
}

const PAYOUT_COLUMNS: Columns = &[
    ("id", 26),
    ("amount", 10),
    ("currency", 8),
    ("status", 10),
    ("created_at", 20),
];

/// Runs `creator payouts …`.
///
/// # Errors
/// Bad input, missing credentials, or a platform error.
pub async fn payouts(cmd: PayoutCommand) -> Result<(), CliError> {
    use PayoutCommand as P;
    match cmd {
        P::List(r) => {
            r.run(|c, a| {
                let mut query = PayoutsQuery::new().include_upcoming(a.upcoming);
                if let Some(d) = &a.after {
                    query = query.after(parse_day("--after", d)?);
                }
                if let Some(d) = &a.before {
                    query = query.before(parse_day("--before", d)?);
                }
                list(PAYOUT_COLUMNS, async move {
                    c.payouts().list(&query).try_collect::<Vec<_>>().await
                })
            })
            .await
        }
        P::View(r) => {
            r.run(|c, a| object(async move { c.payouts().get(&a.id, a.extras.detail()).await }))
                .await
        }
        P::Upcoming(r) => {
            r.run(|c, a| {
                list(PAYOUT_COLUMNS, async move {
                    c.payouts().upcoming(a.detail()).await
                })
            })
            .await
        }
    }
}

// ---------------------------------------------------------------- webhooks

/// `creator webhooks`: Gumroad's resource subscriptions (Gank's
/// registration is `creator gank webhook`).
#[derive(Debug, Clone, Subcommand)]
pub enum WebhookCommand {
    /// List the subscriptions of one event, or of all eight.
    List(Read<EventFilter>),
    /// Subscribe a URL to one event.
    Subscribe(Write<Subscribe>),
    /// Subscribe a URL to all eight events (skips those it already has).
    SubscribeAll(Write<Url>),
    /// Delete a subscription (asks first).
    Delete(Write<Id>),
}

/// Which event's subscriptions to list.
#[derive(Debug, Clone, Args)]
pub struct EventFilter {
    /// The event (default: all eight).
    #[arg(long, value_parser = event_name)]
    event: Option<GumroadEventName>,
}

/// A URL to subscribe to one event.
#[derive(Debug, Clone, Args)]
pub struct Subscribe {
    /// The event.
    #[arg(long, value_parser = event_name)]
    event: GumroadEventName,
    /// The URL Gumroad posts to (`creator relay`'s Gumroad endpoint).
    url: String,
}

/// A URL.
#[derive(Debug, Clone, Args)]
pub struct Url {
    /// The URL Gumroad posts to (`creator relay`'s Gumroad endpoint).
    url: String,
}

/// One of the eight event names Gumroad knows, nothing else.
fn event_name(value: &str) -> Result<GumroadEventName, String> {
    GumroadEventName::ALL
        .into_iter()
        .find(|r| r.as_str() == value.trim())
        .ok_or_else(|| {
            let names: Vec<&str> = GumroadEventName::ALL.iter().map(|r| r.as_str()).collect();
            format!("not a Gumroad event; one of: {}", names.join(", "))
        })
}

async fn subscriptions(
    c: &GumroadClient,
    event: Option<&GumroadEventName>,
) -> creator_core::Result<Vec<ResourceSubscription>> {
    let mut all = Vec::new();
    for name in GumroadEventName::ALL
        .iter()
        .filter(|r| event.is_none_or(|e| e == *r))
    {
        all.extend(c.resource_subscriptions().list(name).await?);
    }
    Ok(all)
}

/// Subscribes `url` to every event it is not yet subscribed to. In a dry
/// run each subscription is held back and the loop goes on, so all of
/// them are printed.
async fn subscribe_all(
    c: &GumroadClient,
    url: &str,
) -> creator_core::Result<Vec<ResourceSubscription>> {
    let existing = subscriptions(c, None).await?;
    let mut created = Vec::new();
    for name in &GumroadEventName::ALL {
        if existing
            .iter()
            .any(|s| &s.resource_name == name && s.post_url.as_deref() == Some(url))
        {
            continue;
        }
        match c.resource_subscriptions().create(name, url).await {
            Ok(s) => created.push(s),
            Err(creator_core::Error::NotSent { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}

const WEBHOOK_COLUMNS: Columns = &[("id", 26), ("resource_name", 22), ("post_url", 60)];

/// Runs `creator webhooks …`.
///
/// # Errors
/// Bad input, missing credentials, a platform error, or a refused confirmation.
pub async fn webhooks(cmd: WebhookCommand) -> Result<(), CliError> {
    use WebhookCommand as W;
    match cmd {
        W::List(r) => {
            r.run(|c, a| list(WEBHOOK_COLUMNS, subscriptions(c, a.event.as_ref())))
                .await
        }
        W::Subscribe(w) => {
            w.run(|c, a| {
                plain(format!("Subscribed {} to {}", a.url, a.event), async move {
                    c.resource_subscriptions().create(&a.event, &a.url).await
                })
            })
            .await
        }
        W::SubscribeAll(w) => {
            w.run(|c, a| {
                plain(
                    format!("Subscribed {} to every event", a.url),
                    subscribe_all(c, &a.url),
                )
            })
            .await
        }
        W::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete webhook subscription {}?", a.id),
                    format!("Deleted webhook subscription {}", a.id),
                    async move { c.resource_subscriptions().delete(&a.id).await },
                )
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_times_and_event_names_are_checked() {
        assert!(matches!(
            send_at("2026-06-18T14:00:00Z"),
            Ok(SendAt::Instant(_))
        ));
        assert!(matches!(
            send_at("2026-06-18 14:00"),
            Ok(SendAt::SellerLocal(_))
        ));
        assert!(send_at("tomorrow").is_err());
        assert_eq!(event_name("sale").unwrap(), GumroadEventName::Sale);
        assert!(event_name("sales").unwrap_err().contains("dispute_won"));
    }
}
