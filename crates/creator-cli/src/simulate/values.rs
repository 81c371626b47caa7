//! The values that differ between two simulated deliveries: ids, keys and
//! times, either those of the recorded fixtures or drawn from a seed.

use base64::Engine as _;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

/// A small deterministic generator (SplitMix64): one seed, one sequence.
#[derive(Debug, Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Every value of a simulated delivery that identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    /// Gumroad `seller_id`.
    pub seller_id: String,
    /// Gumroad `product_id`.
    pub product_id: String,
    /// Gumroad `sale_id`.
    pub sale_id: String,
    /// Gumroad `order_number` (numeric).
    pub order_number: i64,
    /// Gumroad `purchaser_id`.
    pub purchaser_id: String,
    /// The sale's license key.
    pub sale_license_key: String,
    /// Gumroad `subscription_id`.
    pub subscription_id: String,
    /// The subscription's charges (`purchase_ids[]`).
    pub purchase_ids: [String; 2],
    /// The membership's license key.
    pub subscription_license_key: String,
    /// The two tiers of a plan change (from, to).
    pub tier_ids: [String; 2],
    /// When the sale happened.
    pub sale_at: OffsetDateTime,
    /// When the subscription started.
    pub subscribed_at: OffsetDateTime,
    /// When the subscription event happened (cancelled, ended, restarted, changed).
    pub changed_at: OffsetDateTime,
    /// Gank `human_id`s: the membership payment's (`UM-…`) and the digital goods payment's (`DG-…`).
    pub gank_human_ids: [String; 2],
    /// Gank ids (UUIDs): creator, subscriber, price event, catalog, buyer, catalog price.
    pub gank_ids: [String; 6],
}

impl Values {
    /// The values of the recorded fixtures (`fixtures/gumroad/webhooks`, `fixtures/gank`).
    pub fn fixture() -> Self {
        Self {
            seller_id: "kL0psVL2admJSYRNs-OCMg==".into(),
            product_id: "cTEcz7KUB8TiOvJdSTmHQg==".into(),
            sale_id: "FO8TXN-dvxYabdavG97Y-Q==".into(),
            order_number: 524_459_935,
            purchaser_id: "5550321468223".into(),
            sale_license_key: "00000000-C11D4B06-A2335A6B-8C079166".into(),
            subscription_id: "aVdlcGq1rXlPGyE4tGpu_g==".into(),
            purchase_ids: [
                "Wm2nHxq-3bD5YkGqV0v5lA==".into(),
                "p2GZ8sVNXfY4aUVFnXoGQQ==".into(),
            ],
            subscription_license_key: "00000000-4B5A6978-8796A5B4-C3D2E1F0".into(),
            tier_ids: [
                "TJ9iS0b6EK5SbAMzZq3Yqw==".into(),
                "3L5bFGuKxDaGg4l8XZmNKw==".into(),
            ],
            sale_at: time::macros::datetime!(2025-03-14 10:21:07 UTC),
            subscribed_at: time::macros::datetime!(2024-11-02 08:00:00 UTC),
            changed_at: time::macros::datetime!(2025-04-02 08:00:00 UTC),
            gank_human_ids: ["UM-250925-NWKBIKATC".into(), "DG-260227-5U7OZOIXN".into()],
            gank_ids: [
                "fba1aaba-ffb5-42ae-8571-6ec0eb337802".into(),
                "4758a84f-2c1e-4b9a-8d3f-6e0a1c7b5d92".into(),
                "2f0f05c6-8a1d-4e7b-b3c9-5d6e7f8a9b01".into(),
                "4ae9d5c2-959f-42d6-a463-6c0003c95c8c".into(),
                "211376af-8e3c-4d1b-9f6a-2c7e5b0d4a18".into(),
                "77b2db34-0c5e-4f1a-8d9b-6e3a2c1f0b47".into(),
            ],
        }
    }

    /// Values drawn from `seed`, the same for the same seed; times fall in
    /// the year before `until` (pass a fixed time for fully repeatable values).
    pub fn from_seed(seed: u64, until: OffsetDateTime) -> Self {
        let mut rng = SplitMix(seed);
        let mut id = || base64::engine::general_purpose::URL_SAFE.encode(rng.bytes::<16>());
        let (seller_id, product_id, sale_id, subscription_id) = (id(), id(), id(), id());
        let purchase_ids = [id(), id()];
        let tier_ids = [id(), id()];
        let license = |rng: &mut SplitMix| {
            let b = rng.bytes::<16>();
            let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
            format!(
                "{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..16],
                &hex[16..24],
                &hex[24..32]
            )
        };
        let sale_license_key = license(&mut rng);
        let subscription_license_key = license(&mut rng);
        let order_number = 100_000_000 + i64::try_from(rng.below(900_000_000)).unwrap_or(0);
        let purchaser_id = format!("{}", 1_000_000_000_000 + rng.below(9_000_000_000_000));
        let back = i64::try_from(rng.below(300 * 86_400)).unwrap_or(0);
        let changed_at = truncate(until - Duration::seconds(back));
        let sale_at = changed_at - Duration::days(3);
        let subscribed_at = changed_at - Duration::days(60);
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut tx = || -> String {
            (0..9)
                .map(|_| char::from(ALNUM[usize::try_from(rng.below(36)).unwrap_or(0)]))
                .collect()
        };
        let day = yymmdd(sale_at);
        let gank_human_ids = [format!("UM-{day}-{}", tx()), format!("DG-{day}-{}", tx())];
        let mut uuid = || {
            let b = rng.bytes::<16>();
            let h = crate::hex::lower(&b);
            format!(
                "{}-{}-4{}-a{}-{}",
                &h[0..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..32]
            )
        };
        let gank_ids = [uuid(), uuid(), uuid(), uuid(), uuid(), uuid()];
        Self {
            seller_id,
            product_id,
            sale_id,
            order_number,
            purchaser_id,
            sale_license_key,
            subscription_id,
            purchase_ids,
            subscription_license_key,
            tier_ids,
            sale_at,
            subscribed_at,
            changed_at,
            gank_human_ids,
            gank_ids,
        }
    }
}

/// Whole seconds, as the platforms print times.
fn truncate(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// `2025-03-14T10:21:07Z`, Rails' `iso8601` of a UTC time.
pub(crate) fn iso8601(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

/// Gank's `human_id` date part: `YYMMDD`.
pub(crate) fn yymmdd(t: OffsetDateTime) -> String {
    t.format(format_description!("[year repr:last_two][month][day]"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_values_and_another_seed_others() {
        let until = time::macros::datetime!(2026-01-01 00:00:00 UTC);
        let a = Values::from_seed(7, until);
        assert_eq!(a, Values::from_seed(7, until));
        let b = Values::from_seed(8, until);
        assert_ne!(a.sale_id, b.sale_id);
        assert_ne!(a.gank_human_ids, b.gank_human_ids);
        assert_eq!(a.sale_id.len(), 24);
        assert!(a.sale_id.ends_with("=="));
        assert_eq!(a.gank_human_ids[0].len(), "UM-250925-NWKBIKATC".len());
        assert!(a.changed_at <= until);
        assert_eq!(iso8601(until), "2026-01-01T00:00:00Z");
        assert_eq!(yymmdd(until), "260101");
    }
}
