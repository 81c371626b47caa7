//! `GET /v2/user`.

use crate::common::*;

#[tokio::test]
async fn get_user_numeric_string_id_and_avatar_profile_url() {
    let server = server().await;
    serve(&server, "GET", "/v2/user", "user.json").await;
    let user = client(&server).user().get().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert!(req.query.is_empty() && req.form.is_empty());
    // `id` is a numeric string; `user_id` is the opaque id sales call `seller_id`.
    assert_eq!(user.id.as_deref(), Some("3523953790232"));
    assert_eq!(user.user_id.as_deref(), Some("G_-mnBf9b1j9A7a4ub4nFQ=="));
    insta::assert_json_snapshot!(exchange(&req, &user));
}
