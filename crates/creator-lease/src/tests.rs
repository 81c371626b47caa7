//! The lease verifier against expired, tampered, wrong-key, wrong-product,
//! wrong-license, wrong-machine and in-grace leases, and issuance after a
//! live check (the testkit's FakeProvider).

use base64::Engine as _;
use creator_testkit::FakeProvider;
use time::macros::datetime;

use super::*;

const T0: OffsetDateTime = datetime!(2026-12-01 12:00:00 UTC);

fn signer() -> LeaseSigner {
    LeaseSigner::from_seed([7; 32])
}

fn terms() -> LeaseTerms {
    LeaseTerms::new("prod_ebook", "KEY-lifetime", "machine-42")
}

fn verifier() -> LeaseVerifier {
    LeaseVerifier::new(signer().public_key())
        .unwrap()
        .grace(Duration::days(3))
}

fn lease() -> String {
    signer()
        .issue(&terms(), T0, Duration::days(7), None)
        .unwrap()
}

#[test]
fn a_fresh_lease_is_valid_and_renews_after_half_its_life() {
    let status = verifier()
        .verify(&lease(), &terms(), T0 + Duration::days(1))
        .unwrap();
    assert!(matches!(status, LeaseStatus::Valid { .. }));
    assert!(!status.should_renew(T0 + Duration::days(1)));
    assert!(status.should_renew(T0 + Duration::days(4)));
    assert_eq!(status.claims().expires_at(), T0 + Duration::days(7));
}

#[test]
fn an_expired_lease_is_accepted_within_the_grace_period_only() {
    let v = verifier();
    match v
        .verify(&lease(), &terms(), T0 + Duration::days(8))
        .unwrap()
    {
        LeaseStatus::Grace { grace_ends_at, .. } => {
            assert_eq!(grace_ends_at, T0 + Duration::days(10));
        }
        other => panic!("expected grace, got {other:?}"),
    }
    assert_eq!(
        v.verify(&lease(), &terms(), T0 + Duration::days(10)),
        Err(LeaseError::Expired {
            expired_at: T0 + Duration::days(7)
        })
    );
    let strict = LeaseVerifier::new(signer().public_key()).unwrap();
    assert!(matches!(
        strict.verify(&lease(), &terms(), T0 + Duration::days(7)),
        Err(LeaseError::Expired { .. })
    ));
}

#[test]
fn a_tampered_lease_fails_its_signature() {
    let lease = lease();
    let (body, sig) = lease.split_once('.').unwrap();
    let mut claims: serde_json::Value = serde_json::from_slice(&B64.decode(body).unwrap()).unwrap();
    claims["exp"] = serde_json::json!(claims["exp"].as_i64().unwrap() + 365 * 86_400);
    let forged = format!("{}.{sig}", B64.encode(serde_json::to_vec(&claims).unwrap()));
    assert_eq!(
        verifier().verify(&forged, &terms(), T0),
        Err(LeaseError::BadSignature)
    );
    // One flipped signature byte.
    let mut sig_bytes = B64.decode(sig).unwrap();
    sig_bytes[10] ^= 1;
    let flipped = format!("{body}.{}", B64.encode(sig_bytes));
    assert_eq!(
        verifier().verify(&flipped, &terms(), T0),
        Err(LeaseError::BadSignature)
    );
}

#[test]
fn a_lease_signed_with_another_key_fails() {
    let other = LeaseSigner::from_seed([8; 32]);
    let lease = other.issue(&terms(), T0, Duration::days(7), None).unwrap();
    assert_eq!(
        verifier().verify(&lease, &terms(), T0),
        Err(LeaseError::BadSignature)
    );
}

#[test]
fn a_lease_for_another_product_license_or_machine_fails() {
    let v = verifier();
    let lease = lease();
    assert_eq!(
        v.verify(
            &lease,
            &LeaseTerms::new("prod_other", "KEY-lifetime", "machine-42"),
            T0
        ),
        Err(LeaseError::WrongProduct)
    );
    assert_eq!(
        v.verify(
            &lease,
            &LeaseTerms::new("prod_ebook", "KEY-other", "machine-42"),
            T0
        ),
        Err(LeaseError::WrongLicense)
    );
    assert_eq!(
        v.verify(
            &lease,
            &LeaseTerms::new("prod_ebook", "KEY-lifetime", "laptop-2"),
            T0
        ),
        Err(LeaseError::WrongMachine)
    );
}

#[test]
fn a_lease_from_the_future_and_garbage_are_refused() {
    let v = verifier();
    assert!(matches!(
        v.verify(&lease(), &terms(), T0 - Duration::hours(1)),
        Err(LeaseError::NotYetValid { .. })
    ));
    for bad in ["", "abc", "a.b", "!!.??"] {
        assert!(
            matches!(v.verify(bad, &terms(), T0), Err(LeaseError::Malformed(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn a_lease_never_outlives_the_paid_period_and_hides_key_and_machine() {
    let until = T0 + Duration::days(2);
    let lease = signer()
        .issue(&terms(), T0, Duration::days(7), Some(until))
        .unwrap();
    let status = verifier().verify(&lease, &terms(), T0).unwrap();
    assert_eq!(status.claims().expires_at(), until);
    let (body, _) = lease.split_once('.').unwrap();
    let text = String::from_utf8(B64.decode(body).unwrap()).unwrap();
    assert!(
        !text.contains("KEY-lifetime") && !text.contains("machine-42"),
        "{text}"
    );
    assert!(
        signer()
            .issue(&terms(), T0, Duration::days(60), None)
            .is_err()
    );
    assert!(
        signer()
            .issue(&terms(), T0, Duration::days(1), Some(T0))
            .is_err()
    );
    assert!(!format!("{:?}", signer()).contains("[7"));
}

#[tokio::test]
async fn a_lease_is_issued_only_after_a_granting_online_check() {
    let shop = FakeProvider::sample();
    let (lease, verdict) = signer()
        .issue_after_check(&shop, &terms(), T0, Duration::days(7))
        .await
        .unwrap();
    assert_eq!(verdict.reason, AccessReason::LicenseValid);
    let status = verifier().verify(&lease, &terms(), T0).unwrap();
    assert_eq!(status.claims().reason, "license_valid");
    assert_eq!(
        status.claims().source.as_deref(),
        Some("fake_sale_lifetime")
    );

    let disabled = LeaseTerms::new("prod_ebook", "KEY-disabled", "machine-42");
    match signer()
        .issue_after_check(&shop, &disabled, T0, Duration::days(7))
        .await
    {
        Err(IssueError::Lease(LeaseError::Denied(AccessReason::LicenseDisabled))) => {}
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[tokio::test]
async fn re_verification_online_replaces_a_due_lease_and_a_denial_stops_the_app() {
    let v = verifier();
    let now = T0 + Duration::days(5);
    let shop = FakeProvider::sample();
    // Online: a fresh lease replaces the one due for renewal.
    let (status, fresh) = v
        .verify_or_renew(
            &lease(),
            &terms(),
            now,
            Some(|| async {
                signer()
                    .issue_after_check(&shop, &terms(), now, Duration::days(7))
                    .await
                    .map(|(l, _)| l)
                    .map_err(|e| match e {
                        IssueError::Lease(l) => l,
                        IssueError::Check(c) => LeaseError::Malformed(c.to_string()),
                    })
            }),
        )
        .await
        .unwrap();
    assert!(fresh.is_some());
    assert_eq!(status.claims().expires_at(), now + Duration::days(7));

    // Offline (the call fails): the stored lease stands.
    let (status, fresh) = v
        .verify_or_renew(
            &lease(),
            &terms(),
            now,
            Some(|| async { Err(LeaseError::Malformed("no network".into())) }),
        )
        .await
        .unwrap();
    assert!(fresh.is_none());
    assert!(matches!(status, LeaseStatus::Valid { .. }));

    // Refunded since: the renewal is denied and the stored lease no longer counts.
    let denied = v
        .verify_or_renew(
            &lease(),
            &terms(),
            now,
            Some(|| async { Err(LeaseError::Denied(AccessReason::Refunded)) }),
        )
        .await;
    assert_eq!(denied, Err(LeaseError::Denied(AccessReason::Refunded)));
}
