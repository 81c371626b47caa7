//! `creator products`: the list (any provider), and for Gumroad one
//! product's view, create, update, publish, unpublish, delete, covers,
//! thumbnail; its variant categories, variants, offer codes and custom
//! fields. Each subcommand is one line naming its call ([`super::target`]).

use clap::{Args, Subcommand};
use creator_core::Error;
use gumroad_api::{
    CustomFieldType, GumroadClient, ImageSource, NativeType, NewCustomField, NewOfferCode,
    OfferCodeChanges, ProductParams, VariantParams,
};

use super::money::{minor_units, supported_currency};
use super::target::{Read, Write, confirm, list, object, plain};
use crate::CliError;
use crate::emit::Columns;

/// `creator products`: with no subcommand, the list.
pub type ProductsCommandArgs = super::ListOr<super::list::ProductsArgs, ProductCommand>;

/// Gumroad product subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum ProductCommand {
    /// One product.
    View(Read<ProductId>),
    /// Create a product (a draft until `publish`).
    Create(Write<ProductFields>),
    /// Change a product's fields; unset options keep their value.
    Update(Write<ProductUpdate>),
    /// Publish a product (it can be bought).
    Publish(Write<ProductId>),
    /// Unpublish a product (it can no longer be bought).
    Unpublish(Write<ProductId>),
    /// Delete a product, for good (asks first).
    Delete(Write<ProductId>),
    /// Add a cover image from a URL, or `--remove` one.
    Cover(Write<CoverArgs>),
    /// Set the thumbnail from a URL, or `--remove` it.
    Thumbnail(Write<ThumbnailArgs>),
    /// A product's content pages (rich content), as JSON.
    Content(Read<ProductId>),
    /// Replace a product's content pages with a JSON array (from `content`,
    /// edited) read from a file or `-` for standard input (asks first).
    SetContent(Write<ContentArgs>),
    /// Upload a file (multipart, with a progress bar) and attach it to the
    /// product; `--resume` finishes an upload whose completion was cut off.
    Upload(Write<super::upload::UploadArgs>),
    /// A product's variant categories (`list`, `view`, `create`, `update`, `delete`).
    #[command(subcommand)]
    VariantCategories(VariantCategoryCommand),
    /// The variants of one variant category.
    #[command(subcommand)]
    Variants(VariantCommand),
    /// A product's offer codes (discounts).
    #[command(subcommand)]
    OfferCodes(OfferCodeCommand),
    /// A product's custom checkout fields.
    #[command(subcommand)]
    CustomFields(CustomFieldCommand),
}

/// A product.
#[derive(Debug, Clone, Args)]
pub struct ProductId {
    /// The product id (or, for `view`, its permalink).
    id: String,
}

/// The fields of a new product.
#[derive(Debug, Clone, Args)]
pub struct ProductFields {
    /// The product's name.
    #[arg(long)]
    name: String,
    /// The price in major units of `--currency` (`12.50`; `0` for free).
    #[arg(long, value_name = "AMOUNT")]
    price: String,
    /// The price's currency.
    #[arg(long, default_value = "usd")]
    currency: String,
    /// What kind of product (`digital`, `course`, `ebook`, `membership`, `physical`, `bundle`, …).
    #[arg(long = "type", value_name = "TYPE")]
    native_type: Option<String>,
    #[command(flatten)]
    common: CommonFields,
}

/// Fields both `create` and `update` take.
#[derive(Debug, Clone, Args)]
pub struct CommonFields {
    /// The description (HTML).
    #[arg(long, value_name = "HTML")]
    description: Option<String>,
    /// The custom permalink (the `gumroad.com/l/…` part).
    #[arg(long)]
    permalink: Option<String>,
    /// The one-line summary.
    #[arg(long)]
    summary: Option<String>,
    /// Stop selling after this many.
    #[arg(long, value_name = "COUNT")]
    max_purchases: Option<u64>,
}

impl CommonFields {
    fn apply(&self, mut p: ProductParams) -> ProductParams {
        if let Some(v) = &self.description {
            p = p.description(v.clone());
        }
        if let Some(v) = &self.permalink {
            p = p.custom_permalink(v.clone());
        }
        if let Some(v) = &self.summary {
            p = p.custom_summary(v.clone());
        }
        if let Some(v) = self.max_purchases {
            p = p.max_purchase_count(v);
        }
        p
    }
}

/// Changes to a product.
#[derive(Debug, Clone, Args)]
pub struct ProductUpdate {
    /// The product id.
    id: String,
    /// The new name.
    #[arg(long)]
    name: Option<String>,
    /// The new price in major units of the product's currency (read from
    /// the product first).
    #[arg(long, value_name = "AMOUNT")]
    price: Option<String>,
    #[command(flatten)]
    common: CommonFields,
}

/// New content pages.
#[derive(Debug, Clone, Args)]
pub struct ContentArgs {
    /// The product id.
    id: String,
    /// A JSON file holding the array of pages; `-` for standard input.
    file: String,
}

impl ContentArgs {
    fn pages(&self) -> Result<Vec<gumroad_api::RichContentPage>, CliError> {
        let text = if self.file == "-" {
            super::read_stdin()?
        } else {
            std::fs::read_to_string(&self.file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", self.file)))?
        };
        serde_json::from_str(&text).map_err(|e| {
            CliError::Usage(format!(
                "{} is not a JSON array of content pages (as `creator products content` prints): {e}",
                self.file
            ))
        })
    }
}

/// `creator products cover`.
#[derive(Debug, Clone, Args)]
pub struct CoverArgs {
    /// The product id.
    id: String,
    /// The image's public URL (Gumroad downloads it).
    #[arg(long, value_name = "URL", required_unless_present = "remove")]
    url: Option<String>,
    /// Remove this cover instead.
    #[arg(long, value_name = "COVER_ID", conflicts_with = "url")]
    remove: Option<String>,
}

/// `creator products thumbnail`.
#[derive(Debug, Clone, Args)]
pub struct ThumbnailArgs {
    /// The product id.
    id: String,
    /// The image's public URL (Gumroad downloads it).
    #[arg(long, value_name = "URL", required_unless_present = "remove")]
    url: Option<String>,
    /// Remove the thumbnail instead.
    #[arg(long, conflicts_with = "url")]
    remove: bool,
}

/// The product a product-scoped list belongs to.
#[derive(Debug, Clone, Args)]
pub struct OfProduct {
    /// The product id.
    #[arg(long)]
    product: String,
}

/// One thing of a product (a variant category, an offer code, a custom field).
#[derive(Debug, Clone, Args)]
pub struct InProduct {
    /// The product id.
    #[arg(long)]
    product: String,
    /// Its id (a custom field's name).
    id: String,
}

/// A name or title, and the product it belongs to.
#[derive(Debug, Clone, Args)]
pub struct Titled {
    /// The product id.
    #[arg(long)]
    product: String,
    /// The title.
    title: String,
}

/// A product's variant categories.
#[derive(Debug, Clone, Subcommand)]
pub enum VariantCategoryCommand {
    /// List them.
    List(Read<OfProduct>),
    /// One of them.
    View(Read<InProduct>),
    /// Add one, with this title.
    Create(Write<Titled>),
    /// Rename one.
    Update(Write<Retitle>),
    /// Delete one and its variants (asks first).
    Delete(Write<InProduct>),
}

/// A new title for something of a product.
#[derive(Debug, Clone, Args)]
pub struct Retitle {
    /// The product id.
    #[arg(long)]
    product: String,
    /// Its id.
    id: String,
    /// The new title.
    #[arg(long)]
    title: String,
}

/// A variant category of a product.
#[derive(Debug, Clone, Args)]
pub struct OfCategory {
    /// The product id.
    #[arg(long)]
    product: String,
    /// The variant category id.
    #[arg(long)]
    category: String,
}

/// One variant.
#[derive(Debug, Clone, Args)]
pub struct VariantId {
    #[command(flatten)]
    of: OfCategory,
    /// The variant id.
    id: String,
}

/// A variant's fields.
#[derive(Debug, Clone, Args)]
pub struct VariantFields {
    #[command(flatten)]
    of: OfCategory,
    /// Its name.
    #[arg(long)]
    name: Option<String>,
    /// What it adds to (or takes off) the price, in minor units of the
    /// product's currency (`200` = 2.00 USD; negative to take off).
    #[arg(long, value_name = "MINOR_UNITS", allow_hyphen_values = true)]
    price_difference_cents: Option<i64>,
    /// Its description.
    #[arg(long)]
    description: Option<String>,
    /// Stop selling it after this many.
    #[arg(long, value_name = "COUNT")]
    max_purchases: Option<u64>,
}

/// Changes to a variant.
#[derive(Debug, Clone, Args)]
pub struct VariantUpdate {
    /// The variant id.
    id: String,
    #[command(flatten)]
    fields: VariantFields,
}

impl VariantFields {
    fn params(&self) -> VariantParams {
        let mut p = VariantParams::new();
        if let Some(v) = &self.name {
            p = p.name(v.clone());
        }
        if let Some(v) = self.price_difference_cents {
            p = p.price_difference_cents(v);
        }
        if let Some(v) = &self.description {
            p = p.description(v.clone());
        }
        if let Some(v) = self.max_purchases {
            p = p.max_purchase_count(v);
        }
        p
    }
}

/// The variants of a variant category.
#[derive(Debug, Clone, Subcommand)]
pub enum VariantCommand {
    /// List them.
    List(Read<OfCategory>),
    /// One of them.
    View(Read<VariantId>),
    /// Add one (`--name` needed).
    Create(Write<VariantFields>),
    /// Change one; unset options keep their value.
    Update(Write<VariantUpdate>),
    /// Delete one (asks first).
    Delete(Write<VariantId>),
}

/// A new offer code.
#[derive(Debug, Clone, Args)]
pub struct OfferCodeFields {
    /// The product id.
    #[arg(long)]
    product: String,
    /// The code buyers type.
    code: String,
    /// A fixed amount off, in minor units of the product's currency.
    #[arg(
        long,
        value_name = "MINOR_UNITS",
        required_unless_present = "percent_off"
    )]
    amount_off_cents: Option<u64>,
    /// A percentage off (1–100).
    #[arg(long, value_name = "PERCENT", conflicts_with = "amount_off_cents", value_parser = clap::value_parser!(u8).range(1..=100))]
    percent_off: Option<u8>,
    /// How many times it can be used.
    #[arg(long, value_name = "COUNT")]
    max_purchases: Option<u64>,
    /// Only for carts of at least this much, in minor units.
    #[arg(long, value_name = "MINOR_UNITS")]
    minimum_amount_cents: Option<u64>,
    /// Valid for every product of the shop.
    #[arg(long)]
    universal: bool,
}

/// Changes to an offer code.
#[derive(Debug, Clone, Args)]
pub struct OfferCodeUpdate {
    /// The product id.
    #[arg(long)]
    product: String,
    /// The offer code id.
    id: String,
    /// How many times it can be used.
    #[arg(long, value_name = "COUNT")]
    max_purchases: Option<u64>,
    /// Only for carts of at least this much, in minor units.
    #[arg(long, value_name = "MINOR_UNITS")]
    minimum_amount_cents: Option<u64>,
}

/// A product's offer codes.
#[derive(Debug, Clone, Subcommand)]
pub enum OfferCodeCommand {
    /// List them.
    List(Read<OfProduct>),
    /// One of them.
    View(Read<InProduct>),
    /// Add one: `--amount-off-cents` or `--percent-off`.
    Create(Write<OfferCodeFields>),
    /// Change one's limits.
    Update(Write<OfferCodeUpdate>),
    /// Delete one (asks first).
    Delete(Write<InProduct>),
}

/// A custom field.
#[derive(Debug, Clone, Args)]
pub struct CustomFieldFields {
    /// The product id.
    #[arg(long)]
    product: String,
    /// The field's name (for `terms`, the terms URL).
    name: String,
    /// Buyers must fill it in.
    #[arg(long)]
    required: bool,
    /// What kind of field.
    #[arg(long = "type", value_name = "TYPE", value_parser = ["text", "checkbox", "terms", "long_text", "file"])]
    kind: Option<String>,
}

/// A product's custom checkout fields.
#[derive(Debug, Clone, Subcommand)]
pub enum CustomFieldCommand {
    /// List them.
    List(Read<OfProduct>),
    /// Add one.
    Create(Write<CustomFieldFields>),
    /// Make one required (`--required`) or optional.
    Update(Write<CustomFieldFields>),
    /// Delete one (asks first).
    Delete(Write<InProduct>),
}

const TITLED_COLUMNS: Columns = &[("id", 26), ("title", 40)];
const VARIANT_COLUMNS: Columns = &[("id", 26), ("name", 30), ("price_difference_cents", 10)];
const OFFER_COLUMNS: Columns = &[
    ("id", 26),
    ("name", 20),
    ("amount_cents", 8),
    ("percent_off", 8),
    ("times_used", 8),
    ("max_purchase_count", 8),
];
const FIELD_COLUMNS: Columns = &[("name", 40), ("type", 10), ("required", 8)];

/// Runs `creator products …`.
///
/// # Errors
/// Bad input, missing credentials, a platform error, or a refused confirmation.
pub async fn run(args: ProductsCommandArgs) -> Result<(), CliError> {
    let command = match args {
        super::ListOr::List(list) => return super::list::run_products(list).await,
        super::ListOr::Command(command) => command,
    };
    use ProductCommand as P;
    match command {
        P::View(r) => {
            r.run(|c, a| object(async move { c.products().get(&a.id).await }))
                .await
        }
        P::Create(w) => {
            w.run(|c, a| {
                let currency = supported_currency(&a.currency)?;
                let mut p = ProductParams::new()
                    .name(a.name.clone())
                    .price(minor_units("--price", &a.price, currency)?)
                    .currency(currency.to_string());
                if let Some(t) = &a.native_type {
                    p = p.native_type(NativeType::parse(t));
                }
                let p = a.common.apply(p);
                plain(format!("Created product {}", a.name), async move {
                    c.products().create(&p).await
                })
            })
            .await
        }
        P::Update(w) => {
            w.run(|c, a| {
                let given = a.common.apply(ProductParams::new()) != ProductParams::new();
                if !given && a.name.is_none() && a.price.is_none() {
                    return Err(CliError::Usage(
                        "nothing to change: pass at least one option".into(),
                    ));
                }
                plain(format!("Updated product {}", a.id), update(c, a))
            })
            .await
        }
        P::Publish(w) => {
            w.run(|c, a| {
                plain(format!("Published product {}", a.id), async move {
                    c.products().enable(&a.id).await
                })
            })
            .await
        }
        P::Unpublish(w) => {
            w.run(|c, a| {
                plain(format!("Unpublished product {}", a.id), async move {
                    c.products().disable(&a.id).await
                })
            })
            .await
        }
        P::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete product {} for good?", a.id),
                    format!("Deleted product {}", a.id),
                    async move { c.products().delete(&a.id).await },
                )
            })
            .await
        }
        P::Cover(w) => {
            w.run(|c, a| match (&a.url, &a.remove) {
                (_, Some(cover)) => confirm(
                    format!("Remove cover {cover} of product {}?", a.id),
                    format!("Removed cover {cover}"),
                    async move { c.covers(&a.id).remove(cover).await },
                ),
                (url, None) => {
                    let source = ImageSource::Url(url.clone().unwrap_or_default());
                    plain(format!("Added a cover to product {}", a.id), async move {
                        c.covers(&a.id).add(&source).await
                    })
                }
            })
            .await
        }
        P::Thumbnail(w) => {
            w.run(|c, a| {
                if a.remove {
                    return confirm(
                        format!("Remove the thumbnail of product {}?", a.id),
                        format!("Removed the thumbnail of product {}", a.id),
                        async move { c.thumbnail(&a.id).remove().await },
                    );
                }
                let source = ImageSource::Url(a.url.clone().unwrap_or_default());
                plain(
                    format!("Set the thumbnail of product {}", a.id),
                    async move { c.thumbnail(&a.id).set(&source).await },
                )
            })
            .await
        }
        P::Content(r) => {
            r.run(|c, a| {
                object(async move {
                    let product = c.products().get(&a.id).await?;
                    Ok(product.rich_content.unwrap_or_default())
                })
            })
            .await
        }
        P::SetContent(w) => {
            w.run(|c, a| {
                let pages = a.pages()?;
                let params = ProductParams::new().rich_content(pages);
                confirm(
                    format!("Replace every content page of product {}?", a.id),
                    format!("Replaced the content of product {}", a.id),
                    async move { c.products().update(&a.id, &params).await },
                )
            })
            .await
        }
        P::Upload(w) => {
            w.run(|c, a| {
                plain(
                    format!("Uploaded {} to product {}", a.file.display(), a.product),
                    super::upload::upload(c, a),
                )
            })
            .await
        }
        P::VariantCategories(cmd) => variant_categories(cmd).await,
        P::Variants(cmd) => variants(cmd).await,
        P::OfferCodes(cmd) => offer_codes(cmd).await,
        P::CustomFields(cmd) => custom_fields(cmd).await,
    }
}

/// `products update`: a new price is scaled by the product's own currency,
/// read first (a dry run makes that read too).
async fn update(
    c: &GumroadClient,
    a: &ProductUpdate,
) -> creator_core::Result<gumroad_api::SavedProduct> {
    let mut p = ProductParams::new();
    if let Some(name) = &a.name {
        p = p.name(name.clone());
    }
    if let Some(price) = &a.price {
        let product = c.products().get(&a.id).await?;
        let code = product.currency.as_deref().unwrap_or("usd");
        let cents = supported_currency(code)
            .and_then(|cur| minor_units("--price", price, cur))
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        p = p.price(cents);
    }
    let p = a.common.apply(p);
    if p == ProductParams::new() {
        return Err(Error::InvalidInput(
            "nothing to change: pass at least one option".into(),
        ));
    }
    c.products().update(&a.id, &p).await
}

async fn variant_categories(cmd: VariantCategoryCommand) -> Result<(), CliError> {
    use VariantCategoryCommand as V;
    match cmd {
        V::List(r) => {
            r.run(|c, a| {
                list(TITLED_COLUMNS, async move {
                    c.variant_categories(&a.product).list().await
                })
            })
            .await
        }
        V::View(r) => {
            r.run(|c, a| object(async move { c.variant_categories(&a.product).get(&a.id).await }))
                .await
        }
        V::Create(w) => {
            w.run(|c, a| {
                plain(
                    format!("Created variant category {}", a.title),
                    async move { c.variant_categories(&a.product).create(&a.title).await },
                )
            })
            .await
        }
        V::Update(w) => {
            w.run(|c, a| {
                plain(format!("Renamed variant category {}", a.id), async move {
                    c.variant_categories(&a.product)
                        .update(&a.id, &a.title)
                        .await
                })
            })
            .await
        }
        V::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete variant category {} and its variants?", a.id),
                    format!("Deleted variant category {}", a.id),
                    async move { c.variant_categories(&a.product).delete(&a.id).await },
                )
            })
            .await
        }
    }
}

async fn variants(cmd: VariantCommand) -> Result<(), CliError> {
    use VariantCommand as V;
    match cmd {
        V::List(r) => {
            r.run(|c, a| {
                list(VARIANT_COLUMNS, async move {
                    c.variants(&a.product, &a.category).list().await
                })
            })
            .await
        }
        V::View(r) => {
            r.run(|c, a| {
                object(async move { c.variants(&a.of.product, &a.of.category).get(&a.id).await })
            })
            .await
        }
        V::Create(w) => {
            w.run(|c, a| {
                if a.name.is_none() {
                    return Err(CliError::Usage("variants create needs --name".into()));
                }
                let p = a.params();
                plain("Created the variant", async move {
                    c.variants(&a.of.product, &a.of.category).create(&p).await
                })
            })
            .await
        }
        V::Update(w) => {
            w.run(|c, a| {
                let p = a.fields.params();
                if p == VariantParams::new() {
                    return Err(CliError::Usage(
                        "nothing to change: pass at least one option".into(),
                    ));
                }
                let of = &a.fields.of;
                plain(format!("Updated variant {}", a.id), async move {
                    c.variants(&of.product, &of.category)
                        .update(&a.id, &p)
                        .await
                })
            })
            .await
        }
        V::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete variant {}?", a.id),
                    format!("Deleted variant {}", a.id),
                    async move {
                        c.variants(&a.of.product, &a.of.category)
                            .delete(&a.id)
                            .await
                    },
                )
            })
            .await
        }
    }
}

async fn offer_codes(cmd: OfferCodeCommand) -> Result<(), CliError> {
    use OfferCodeCommand as O;
    match cmd {
        O::List(r) => {
            r.run(|c, a| {
                list(OFFER_COLUMNS, async move {
                    c.offer_codes(&a.product).list().await
                })
            })
            .await
        }
        O::View(r) => {
            r.run(|c, a| object(async move { c.offer_codes(&a.product).get(&a.id).await }))
                .await
        }
        O::Create(w) => {
            w.run(|c, a| {
                let mut code = match (a.percent_off, a.amount_off_cents) {
                    (Some(p), _) => NewOfferCode::percent(a.code.clone(), p),
                    (None, cents) => NewOfferCode::cents(a.code.clone(), cents.unwrap_or(0)),
                };
                if let Some(n) = a.max_purchases {
                    code = code.max_purchase_count(n);
                }
                if let Some(m) = a.minimum_amount_cents {
                    code = code.minimum_amount_cents(m);
                }
                if a.universal {
                    code = code.universal(true);
                }
                plain(format!("Created offer code {}", a.code), async move {
                    c.offer_codes(&a.product).create(&code).await
                })
            })
            .await
        }
        O::Update(w) => {
            w.run(|c, a| {
                let mut changes = OfferCodeChanges::new();
                if let Some(n) = a.max_purchases {
                    changes = changes.max_purchase_count(n);
                }
                if let Some(m) = a.minimum_amount_cents {
                    changes = changes.minimum_amount_cents(m);
                }
                if changes == OfferCodeChanges::new() {
                    return Err(CliError::Usage(
                        "nothing to change: pass --max-purchases or --minimum-amount-cents".into(),
                    ));
                }
                plain(format!("Updated offer code {}", a.id), async move {
                    c.offer_codes(&a.product).update_with(&a.id, &changes).await
                })
            })
            .await
        }
        O::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete offer code {}?", a.id),
                    format!("Deleted offer code {}", a.id),
                    async move { c.offer_codes(&a.product).delete(&a.id).await },
                )
            })
            .await
        }
    }
}

async fn custom_fields(cmd: CustomFieldCommand) -> Result<(), CliError> {
    use CustomFieldCommand as F;
    match cmd {
        F::List(r) => {
            r.run(|c, a| {
                list(FIELD_COLUMNS, async move {
                    c.custom_fields(&a.product).list().await
                })
            })
            .await
        }
        F::Create(w) => {
            w.run(|c, a| {
                let mut field = NewCustomField::new(a.name.clone()).required(a.required);
                if let Some(k) = &a.kind {
                    field = field.kind(CustomFieldType::parse(k));
                }
                plain(format!("Added custom field {}", a.name), async move {
                    c.custom_fields(&a.product).create(&field).await
                })
            })
            .await
        }
        F::Update(w) => {
            w.run(|c, a| {
                plain(format!("Updated custom field {}", a.name), async move {
                    c.custom_fields(&a.product)
                        .update(&a.name, a.required)
                        .await
                })
            })
            .await
        }
        F::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete custom field {}?", a.id),
                    format!("Deleted custom field {}", a.id),
                    async move { c.custom_fields(&a.product).delete(&a.id).await },
                )
            })
            .await
        }
    }
}
