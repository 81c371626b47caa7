//! Your Gank account (`GET /v1/users/me`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::de;

/// A Gank user, from `GET /v1/users/me` (`{"data": {...}, "total": 0}`).
///
/// Only `id` and `nickname` are known; every other field Gank sends is kept
/// in [`GankUser::extra`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GankUser {
    /// The user id (a UUID).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The public nickname.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}
