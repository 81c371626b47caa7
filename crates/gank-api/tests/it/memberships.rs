//! `GET {V1}/v1/users/membership-settings-v2/{user_id}`.
//!
//! [UNKNOWN] shape: the documentation shows only ids (`{data: [{id, …,
//! membershipDetails: [{id, …}]}], total}`); every other field of
//! `fixtures/gank/membership_settings.json` is synthesized, so these tests
//! check tolerance (prices as string or number), not Gank's real field names.

use crate::common::{Hosts, only};

#[tokio::test]
async fn membership_settings_with_their_details_and_prices_as_string_or_number() {
    let hosts = Hosts::start().await;
    hosts
        .v1_get(
            "/v1/users/membership-settings-v2/fba1aaba-ffb5-42ae-8571-6ec0eb337802",
            "membership_settings.json",
        )
        .await;
    hosts.fallbacks().await;
    let settings = hosts
        .client()
        .memberships()
        .settings("fba1aaba-ffb5-42ae-8571-6ec0eb337802")
        .await
        .unwrap();
    let sent = only(&hosts.v1).await;
    assert_eq!(
        sent.line(),
        "GET /v1/users/membership-settings-v2/fba1aaba-ffb5-42ae-8571-6ec0eb337802"
    );
    assert_eq!(sent.token, "login");
    assert!(hosts.v2_sent().await.is_empty());
    assert_eq!(settings.len(), 2);
    assert!(settings.iter().all(|s| s.membership_details.len() == 4));
    // "5.00" (string) and 12.5 (number) are both dollars.
    let base: Vec<_> = settings
        .iter()
        .map(|s| s.base_price().map(|p| p.money().minor_units()))
        .collect();
    assert_eq!(base, [Some(500), Some(1250)]);
    assert_eq!(
        settings[1].membership_details[1]
            .price
            .as_ref()
            .map(|p| p.money().minor_units()),
        Some(3563),
        "35.63 must not become 3562 through floating point"
    );
    insta::assert_json_snapshot!(settings);
}

#[tokio::test]
async fn an_empty_user_id_is_rejected_before_any_request() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    let err = hosts.client().memberships().settings("").await.unwrap_err();
    assert!(matches!(err, creator_core::Error::InvalidInput(_)));
    assert!(hosts.v1_sent().await.is_empty());
}
