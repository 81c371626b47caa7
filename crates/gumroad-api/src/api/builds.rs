//! Attaching uploaded files to a product or to one variant ("pushing a new
//! build"), as the official CLI does with `products update --file` and
//! `variants update --file`.

use creator_core::{Error, Result};

use crate::models::append_file_embeds;
use crate::{FileEntry, GumroadClient, ProductParams, SavedProduct, Variant, VariantParams};

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
    /// the content pages with the new files embedded where the official CLI
    /// puts them: on the page that already embeds files (in its file-embed
    /// group when it has one), else on the last page; a product without
    /// pages gets one embedding the existing files and the new ones (the
    /// server resolves the placeholders in the same request).
    ///
    /// Both `files` and `rich_content` replace the whole collection, so the
    /// product read must carry both: a read without them (an older server,
    /// a list-shaped answer) is refused rather than sent back as "no files".
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without files or when the product uses
    /// per-variant content (use [`ProductFilesApi::attach_to_variant`]);
    /// [`Error::Decode`] when the product read has no `files` or no
    /// `rich_content` (nothing is written); or any error of the read or the
    /// update.
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
        let existing = product_file_ids(self.client, &product)?;
        let mut pages = product
            .rich_content
            .clone()
            .ok_or_else(|| missing(self.client, ".product.rich_content", "content pages"))?;
        let (entries, placeholders) = entries(&existing, files)?;
        append_file_embeds(&mut pages, &existing, &placeholders);
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
    /// embeds them in the variant's content as [`ProductFilesApi::attach`]
    /// places them (a variant without pages gets one with the new files,
    /// as the CLI does) with `PUT …/variants/:id` and `rich_content`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without files or when the product shares one
    /// content for all variants; [`Error::Decode`], before any write, when
    /// the product read has no `files` or the variant read no
    /// `rich_content`, and after the product update when it did not map
    /// every new file (the files are then on the product but not yet in the
    /// variant); or any error of the calls.
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
        let existing = product_file_ids(self.client, &product)?;
        let variants = self.client.variants(self.product_id, category_id);
        let variant = variants.get(variant_id).await?;
        let mut pages = variant
            .rich_content
            .clone()
            .ok_or_else(|| missing(self.client, ".variant.rich_content", "content pages"))?;
        let (entries, placeholders) = entries(&existing, files)?;
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
        append_file_embeds(&mut pages, &[], &created);
        let variant = variants
            .update(variant_id, &VariantParams::new().rich_content(pages))
            .await?;
        Ok((saved, variant))
    }
}

/// The ids of the product's files, which the update must list again to keep them.
fn product_file_ids(client: &GumroadClient, product: &crate::Product) -> Result<Vec<String>> {
    let files = product
        .files
        .as_ref()
        .ok_or_else(|| missing(client, ".product.files", "file list"))?;
    Ok(files.iter().filter_map(|f| f.id.clone()).collect())
}

/// The error for a read that lacks a collection the write would replace.
fn missing(client: &GumroadClient, path: &str, what: &str) -> Error {
    Error::Decode {
        provider: client.provider(),
        path: path.into(),
        message: format!(
            "the read carried no {what}; sending one back would replace (delete) what is \
             there, so nothing was written"
        ),
        body: creator_core::RawBody::new(Vec::new()),
    }
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
