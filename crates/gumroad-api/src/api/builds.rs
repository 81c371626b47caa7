//! Attaching uploaded files to a product or to one variant ("pushing a new
//! build"), as the official CLI does with `products update --file` and
//! `variants update --file`.

use creator_core::{Error, Result};

use crate::{
    FileEntry, GumroadClient, ProductParams, RichContentPage, SavedProduct, Variant, VariantParams,
};

/// Title of the content page created when there is none.
const DEFAULT_PAGE_TITLE: &str = "Page 1";

/// Attaching files to one product. Get it with [`GumroadClient::product_files`].
#[derive(Debug, Clone, Copy)]
pub struct ProductFilesApi<'a> {
    pub(crate) client: &'a GumroadClient,
    pub(crate) product_id: &'a str,
}

/// A file to add: the canonical URL from an upload and its display name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewFile {
    /// The `file_url` an upload returned.
    pub url: String,
    /// Display name (default: from the URL).
    pub display_name: Option<String>,
}

impl NewFile {
    /// A file from its canonical URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            display_name: None,
        }
    }

    /// Display name.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }
}

impl ProductFilesApi<'_> {
    /// Adds `files` to the product's content, keeping every existing file:
    /// reads the product, then sends one `PUT /v2/products/:id` (JSON) with
    /// the existing files kept by id, the new ones with placeholder ids, and
    /// the content pages with the new files embedded at the end of the last
    /// page (the server resolves the placeholders in the same request).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without files or when the product uses
    /// per-variant content (use [`ProductFilesApi::attach_to_variant`]), or
    /// any error of the read or the update.
    pub async fn attach(&self, files: &[NewFile]) -> Result<SavedProduct> {
        let product = self.client.products().get(self.product_id).await?;
        if product.has_same_rich_content_for_all_variants == Some(false)
            && product.variants.iter().any(|c| !c.options.is_empty())
        {
            return Err(Error::InvalidInput(format!(
                "product {} has per-variant content; attach the files to a variant instead",
                self.product_id
            )));
        }
        let (entries, placeholders) = entries(&product_file_ids(&product), files)?;
        let mut pages = product.rich_content.clone().unwrap_or_default();
        embed(&mut pages, &placeholders);
        let params = ProductParams::new().files(entries).rich_content(pages);
        self.client
            .products()
            .update(self.product_id, &params)
            .await
    }

    /// Pushes a new build to one variant: reads the product (it must use
    /// per-variant content) and the variant, adds the files to the product
    /// (`PUT /v2/products/:id` with placeholder ids), maps the placeholders
    /// to the created file ids through the answer's `file_id_mappings`, then
    /// embeds them at the end of the variant's last content page
    /// (`PUT …/variants/:id` with `rich_content`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without files or when the product shares one
    /// content for all variants; [`Error::Decode`] when the product update
    /// did not map every new file (the files are then on the product but not
    /// yet in the variant); or any error of the calls.
    pub async fn attach_to_variant(
        &self,
        category_id: &str,
        variant_id: &str,
        files: &[NewFile],
    ) -> Result<(SavedProduct, Variant)> {
        let product = self.client.products().get(self.product_id).await?;
        if product.has_same_rich_content_for_all_variants != Some(false) {
            return Err(Error::InvalidInput(format!(
                "product {} shares one content for all variants; attach the files to the product, \
                 or switch it to per-variant content first",
                self.product_id
            )));
        }
        let variants = self.client.variants(self.product_id, category_id);
        let variant = variants.get(variant_id).await?;
        let (entries, placeholders) = entries(&product_file_ids(&product), files)?;
        let saved = self
            .client
            .products()
            .update(self.product_id, &ProductParams::new().files(entries))
            .await?;
        let created: Vec<String> = placeholders
            .iter()
            .map(|p| saved.file_id_mappings.get(p).cloned())
            .collect::<Option<_>>()
            .ok_or_else(|| Error::Decode {
                provider: self.client.provider(),
                path: ".file_id_mappings".into(),
                message: "the product update did not map every new file to its id; the files \
                          were added to the product but not to the variant"
                    .into(),
                body: creator_core::RawBody::new(Vec::new()),
            })?;
        let mut pages = variant.rich_content.clone().unwrap_or_default();
        embed(&mut pages, &created);
        let variant = variants
            .update(variant_id, &VariantParams::new().rich_content(pages))
            .await?;
        Ok((saved, variant))
    }
}

fn product_file_ids(product: &crate::Product) -> Vec<String> {
    product
        .files
        .iter()
        .flatten()
        .filter_map(|f| f.id.clone())
        .collect()
}

/// Existing files kept by id plus the new ones with fresh placeholder ids.
fn entries(existing: &[String], files: &[NewFile]) -> Result<(Vec<FileEntry>, Vec<String>)> {
    if files.is_empty() {
        return Err(Error::InvalidInput("no files to attach".into()));
    }
    let mut entries: Vec<FileEntry> = existing.iter().map(FileEntry::keep).collect();
    let mut placeholders = Vec::with_capacity(files.len());
    for file in files {
        crate::client::require("file url", &file.url)?;
        let placeholder = format!("upload-{}", crate::models::uuid_v4());
        let mut entry = FileEntry::new(&file.url).placeholder_id(&placeholder);
        if let Some(name) = &file.display_name {
            entry = entry.display_name(name);
        }
        entries.push(entry);
        placeholders.push(placeholder);
    }
    Ok((entries, placeholders))
}

/// Embeds `ids` at the end of the last page, creating one when there is none.
fn embed(pages: &mut Vec<RichContentPage>, ids: &[String]) {
    match pages.last_mut() {
        Some(page) => page.push_file_embeds(ids),
        None => pages.push(RichContentPage::with_file_embeds(DEFAULT_PAGE_TITLE, ids)),
    }
}
