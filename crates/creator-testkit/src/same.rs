//! Equality of normalized values, which keep their provider model behind
//! [`ProviderData`](creator_core::ProviderData) and so do not derive `PartialEq`.

use std::any::Any;
use std::fmt::Debug;

use creator_core::Sale;

/// Asserts two [`Sale`]s are equal: every normalized field (compared as
/// their JSON) and the provider model `M` each keeps (both must hold one).
///
/// ```
/// use creator_core::{Provider, ProviderData, Sale};
///
/// let mut a = Sale::new(Provider::Gumroad, "s1");
/// a.provider_data = ProviderData::new(7_u32);
/// let b = a.clone();
/// creator_testkit::assert_same_sale::<u32>(&a, &b);
/// ```
///
/// # Panics
/// When a field or the provider model differs, or a model is missing.
#[track_caller]
pub fn assert_same_sale<M: Any + PartialEq + Debug>(a: &Sale, b: &Sale) {
    assert_eq!(
        serde_json::to_value(a).expect("a sale serializes"),
        serde_json::to_value(b).expect("a sale serializes"),
        "normalized fields"
    );
    assert_eq!(model::<M>(a), model::<M>(b), "provider models");
}

/// The provider model `M` behind `sale`; panics when there is none.
#[track_caller]
fn model<M: Any>(sale: &Sale) -> &M {
    sale.provider_data().downcast_ref::<M>().unwrap_or_else(|| {
        panic!(
            "no {} behind sale `{}`",
            std::any::type_name::<M>(),
            sale.id
        )
    })
}
