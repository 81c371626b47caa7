//! `/v2/products/:product_id/custom_fields`, addressed by name.

use creator_core::http::Path;
use creator_core::{Error, Result};

use crate::client::{MessageEnvelope, bool_str, envelope, require};
use crate::{CustomField, CustomFieldType, Deleted, GumroadClient};

envelope!(CustomFieldEnvelope {
    custom_field: CustomField
});
envelope!(CustomFieldsEnvelope {
    custom_fields: [CustomField]
});

/// A new checkout field.
///
/// ```
/// use gumroad_api::{CustomFieldType, NewCustomField};
///
/// let company = NewCustomField::new("Company name").required(true);
/// let terms = NewCustomField::new("https://example.com/terms").kind(CustomFieldType::Terms);
/// # let _ = (company, terms);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewCustomField {
    name: String,
    required: Option<bool>,
    kind: Option<CustomFieldType>,
}

impl NewCustomField {
    /// A text field called `name` (for `terms` fields, the terms URL).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            required: None,
            kind: None,
        }
    }

    /// Whether buyers must fill it in (sent as `"true"`/`"false"`).
    pub fn required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }

    /// The kind of field (default `text`).
    pub fn kind(mut self, kind: CustomFieldType) -> Self {
        self.kind = Some(kind);
        self
    }
}

/// The custom fields of one product. Get it with [`GumroadClient::custom_fields`].
#[derive(Debug, Clone, Copy)]
pub struct CustomFieldsApi<'a> {
    pub(crate) client: &'a GumroadClient,
    pub(crate) product_id: &'a str,
}

impl CustomFieldsApi<'_> {
    /// `GET …/custom_fields`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn list(&self) -> Result<Vec<CustomField>> {
        require("product id", self.product_id)?;
        self.client
            .all_pages::<CustomFieldsEnvelope>(self.base(), &[])
            .await
    }

    /// `POST …/custom_fields`. Never retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name, or any request error.
    pub async fn create(&self, field: &NewCustomField) -> Result<CustomField> {
        require("product id", self.product_id)?;
        require("custom field name", &field.name)?;
        let mut form = vec![("name", field.name.clone())];
        if let Some(r) = field.required {
            form.push(("required", bool_str(r).to_owned()));
        }
        if let Some(k) = &field.kind {
            form.push(("type", k.to_string()));
        }
        let t = self.client.transport();
        let env: CustomFieldEnvelope = self.client.call(t.post(self.base()).form(form)).await?;
        Ok(env.custom_field)
    }

    /// `PUT …/custom_fields/:name`: only `required` can change. The name is
    /// percent-encoded into the path (`phone%20number`).
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn update(&self, name: &str, required: bool) -> Result<CustomField> {
        self.ids(name)?;
        let t = self.client.transport();
        let env: CustomFieldEnvelope = self
            .client
            .call(
                t.put(self.path(name))
                    .form([("required", bool_str(required))]),
            )
            .await?;
        Ok(env.custom_field)
    }

    /// `DELETE …/custom_fields/:name`: unlinks the field from this product
    /// (and deletes it when no other product uses it).
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn delete(&self, name: &str) -> Result<Deleted> {
        self.ids(name)?;
        let t = self.client.transport();
        let env: MessageEnvelope = self.client.call(t.delete(self.path(name))).await?;
        Ok(Deleted {
            message: env.message,
        })
    }

    fn ids(&self, name: &str) -> Result<()> {
        require("product id", self.product_id)?;
        if name.is_empty() {
            return Err(Error::InvalidInput(
                "custom field name must not be empty".into(),
            ));
        }
        Ok(())
    }

    fn base(&self) -> Path {
        Path::new("/v2/products/{}/custom_fields", &[self.product_id])
    }

    fn path(&self, name: &str) -> Path {
        Path::new("/v2/products/{}/custom_fields/{}", &[self.product_id, name])
    }
}
