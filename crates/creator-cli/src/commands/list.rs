//! `creator products|sales|subscribers`: streaming lists through the
//! creator-core traits, with a progress counter on stderr.

use std::io::BufWriter;

use clap::Args;
use creator_core::futures::stream::BoxStream;
use creator_core::{PersonSearch, ProductQuery, SaleQuery, SubscriberQuery};
use futures::{FutureExt, TryStreamExt};

use super::{output_result, parse_day};
use crate::CliError;
use crate::error::{Credentials, provider_error};
use crate::output::{Format, Record, RecordWriter};
use crate::progress::Progress;
use crate::providers::{ProviderArgs, Resource, shop};

/// Options shared by the list commands.
#[derive(Debug, Clone, Args)]
pub struct ListOptions {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Stop after this many items.
    #[arg(long)]
    pub limit: Option<u64>,
    /// Stop after this many pages (a safety cap).
    #[arg(long)]
    pub max_pages: Option<u32>,
    /// No progress counter on stderr.
    #[arg(long)]
    pub no_progress: bool,
    /// Show the progress counter even when stderr is not a terminal.
    #[arg(long, conflicts_with = "no_progress", hide = true)]
    pub force_progress: bool,
}

/// Options of `creator products`.
#[derive(Debug, Clone, Args)]
pub struct ProductsArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    #[command(flatten)]
    list: ListOptions,
}

/// Options of `creator sales`.
#[derive(Debug, Clone, Args)]
pub struct SalesArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    #[command(flatten)]
    list: ListOptions,
    /// Only sales of this product id.
    #[arg(long)]
    product: Option<String>,
    /// Only sales to this email.
    #[arg(long)]
    email: Option<String>,
    /// Only sales on or after this day (`2025-03-14`).
    #[arg(long)]
    after: Option<String>,
    /// Only sales before this day (exclusive).
    #[arg(long)]
    before: Option<String>,
    #[command(flatten)]
    windows: super::windows::WindowArgs,
}

/// Options of `creator subscribers`.
#[derive(Debug, Clone, Args)]
pub struct SubscribersArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    #[command(flatten)]
    list: ListOptions,
    /// Only subscribers of this product or membership tier.
    #[arg(long)]
    product: Option<String>,
    /// Only subscribers with access now.
    #[arg(long)]
    active: bool,
    /// Only the subscriber with this email.
    #[arg(long, conflicts_with_all = ["nickname", "nickname_contains"])]
    email: Option<String>,
    /// Only the subscriber with this exact nickname (Gank).
    #[arg(long, conflicts_with = "nickname_contains")]
    nickname: Option<String>,
    /// Only subscribers whose nickname contains this text (Gank).
    #[arg(long)]
    nickname_contains: Option<String>,
}

/// Writes a stream to stdout in the chosen format, one item at a time.
///
/// # Errors
/// The first error of the stream (as a one-line [`CliError`]) or of the output.
pub async fn stream_out<T: Record>(
    mut items: BoxStream<'_, creator_core::Result<T>>,
    label: &str,
    options: &ListOptions,
    creds: Credentials,
) -> Result<(), CliError> {
    let mut out = RecordWriter::new::<T>(BufWriter::new(std::io::stdout()), options.format);
    let mut progress = Progress::new(label, !options.no_progress, options.force_progress);
    let limit = options.limit.unwrap_or(u64::MAX);
    while progress.count() < limit {
        // Flush before waiting on the network, so output streams into pipes.
        let next = match items.try_next().now_or_never() {
            Some(ready) => ready,
            None => {
                if let Err(e) = out.flush() {
                    progress.finish();
                    return output_result::<()>(Err(e));
                }
                items.try_next().await
            }
        };
        let item = match next {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(e) => {
                // Keep what was printed valid where possible (but print no
                // header before the first record), then report.
                let _ = out.abandon();
                progress.finish();
                return Err(provider_error(e, creds));
            }
        };
        if let Err(e) = out.write(&item) {
            progress.finish();
            return output_result::<()>(Err(e));
        }
        progress.inc();
    }
    progress.finish();
    output_result(out.finish())
}

/// Runs `creator products`.
///
/// # Errors
/// Missing credentials, a platform error, or a failed write.
pub async fn run_products(args: ProductsArgs) -> Result<(), CliError> {
    let shop = shop(&args.provider, &[Resource::Products])?;
    let products = shop.products.ok_or_else(|| unsupported("products"))?;
    let mut query = ProductQuery::new();
    if let Some(p) = args.list.max_pages {
        query = query.max_pages(p);
    }
    stream_out(
        products.list_products(query),
        "products",
        &args.list,
        shop.credentials,
    )
    .await
}

/// Runs `creator sales`.
///
/// # Errors
/// Bad options, missing credentials, a platform error, or a failed write.
pub async fn run_sales(args: SalesArgs) -> Result<(), CliError> {
    let mut query = SaleQuery::new();
    if let Some(p) = &args.product {
        query = query.product(p.clone());
    }
    if let Some(e) = &args.email {
        query = query.email(e.clone());
    }
    if let Some(d) = &args.after {
        query = query.after(parse_day("--after", d)?);
    }
    if let Some(d) = &args.before {
        query = query.before(parse_day("--before", d)?);
    }
    if let Some(p) = args.list.max_pages {
        query = query.max_pages(p);
    }
    if let Some(windows) = args.windows.windowing() {
        query = query.windowed(windows);
    }
    let shop = shop(&args.provider, &[Resource::Sales])?;
    let sales = shop.sales.ok_or_else(|| unsupported("sales"))?;
    stream_out(
        sales.list_sales(query),
        "sales",
        &args.list,
        shop.credentials,
    )
    .await
}

/// Runs `creator subscribers`.
///
/// # Errors
/// Missing credentials, a platform error, or a failed write.
pub async fn run_subscribers(args: SubscribersArgs) -> Result<(), CliError> {
    let mut query = SubscriberQuery::new();
    if let Some(p) = &args.product {
        query = query.product(p.clone());
    }
    if args.active {
        query = query.active_only();
    }
    if let Some(e) = &args.email {
        query = query.search(PersonSearch::Email(e.clone()));
    }
    if let Some(n) = &args.nickname {
        query = query.search(PersonSearch::NicknameExact(n.clone()));
    }
    if let Some(n) = &args.nickname_contains {
        query = query.search(PersonSearch::NicknameContains(n.clone()));
    }
    if let Some(p) = args.list.max_pages {
        query = query.max_pages(p);
    }
    let shop = shop(&args.provider, &[Resource::Subscribers])?;
    let subscribers = shop.subscribers.ok_or_else(|| unsupported("subscribers"))?;
    stream_out(
        subscribers.list_subscribers(query),
        "subscribers",
        &args.list,
        shop.credentials,
    )
    .await
}

fn unsupported(what: &str) -> CliError {
    CliError::NotAvailable(format!("this provider offers no {what} list"))
}
