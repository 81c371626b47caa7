//! Custom checkout fields (`/v2/products/:id/custom_fields`).

use serde::{Deserialize, Serialize};

use crate::de::{nullable, opt_bool, opt_string};

creator_core::string_enum! {
    /// The kind of a custom field.
    pub enum CustomFieldType {
        /// One line of text (the default).
        Text = "text",
        /// A checkbox.
        Checkbox = "checkbox",
        /// A terms checkbox; the field name is the terms URL.
        Terms = "terms",
        /// Several lines of text.
        LongText = "long_text",
        /// A file upload.
        File = "file",
    }
}

/// A checkout custom field.
///
/// The classic docs show `{"name": "phone number", "required": "false"}`
/// (a string boolean and no id); the server sends
/// `{id, type, name, required: bool, global, collect_per_product, products}`.
/// Both decode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomField {
    /// External id.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// The name; custom fields are addressed by name in the API.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Kind of field.
    #[serde(default, rename = "type")]
    pub kind: Option<CustomFieldType>,
    /// Whether buyers must fill it in (`true`, or the string `"false"` in old docs).
    #[serde(default, deserialize_with = "opt_bool")]
    pub required: Option<bool>,
    /// Shared by all of the seller's products.
    #[serde(default, deserialize_with = "opt_bool")]
    pub global: Option<bool>,
    /// Asked once per product in a multi-product checkout.
    #[serde(default, deserialize_with = "opt_bool")]
    pub collect_per_product: Option<bool>,
    /// Ids of the products it is attached to.
    #[serde(default, deserialize_with = "nullable")]
    pub products: Vec<String>,
}
