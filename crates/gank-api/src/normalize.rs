//! The only mappings from Gank's models to creator-core's: listings and
//! membership settings as products, subscriber rows as subscribers,
//! transactions as sales (used by the trait impls in `traits.rs` and by
//! [`GankWebhooks::confirm`](crate::GankWebhooks)), and a delivery's
//! [`GankEvent`] as a [`WebhookEvent`] (used by the webhook receiver). A
//! payment's product, customer and subscription read the same from the
//! delivery and from the API, because both go through [`fill_membership`] /
//! [`fill_digital_goods`]. Each value keeps its Gank model in `provider_data`.

use creator_core::{
    Customer, Error, EventKind, Product, ProductKind, Provider, ProviderData, Result, Sale,
    Subscriber, SubscriptionStatus, WebhookEvent,
};

use crate::webhook::GankEvent;
use crate::{
    DigitalGoodsTxData, GankSubscriber, Listing, MembershipSetting, MembershipTxData, Transaction,
    UsecasePayload,
};

const GANK: Provider = Provider::Gank;

// ---------------------------------------------------------------- products

impl Listing {
    /// This listing as a core [`Product`] (kind [`ProductKind::Service`], the
    /// first price option as price); the listing is kept in `provider_data`.
    pub fn to_product(&self) -> Product {
        let mut p = Product::new(
            GANK,
            self.id.clone(),
            self.name.clone().unwrap_or_default(),
            ProductKind::Service,
        );
        p.price = self.base_price().map(|a| a.money());
        p.provider_data = ProviderData::new(self.clone());
        p
    }
}

impl MembershipSetting {
    /// This setting as a core [`Product`] (kind [`ProductKind::Membership`],
    /// the shortest billing option's price); the setting is kept in `provider_data`.
    pub fn to_product(&self) -> Product {
        let mut p = Product::new(
            GANK,
            self.id.clone(),
            self.display_name().unwrap_or_default(),
            ProductKind::Membership,
        );
        p.price = self.base_price().map(|a| a.money());
        p.provider_data = ProviderData::new(self.clone());
        p
    }
}

// ---------------------------------------------------------------- subscribers

impl GankSubscriber {
    /// This row as a core [`Subscriber`] with the given status.
    ///
    /// The id is `"{supporter_user_id}:{membership_setting_id}"` (Gank lists
    /// expose no subscription id); [`Subscribers::subscription_status`](creator_core::Subscribers::subscription_status) on the
    /// client accepts it back.
    ///
    /// # Errors
    /// [`Error::Decode`] when the row has no `supporter_user_id`.
    pub fn to_subscriber(&self, status: SubscriptionStatus) -> Result<Subscriber> {
        let user = self.supporter_user_id.clone().ok_or_else(|| {
            Error::decode(
                GANK,
                ".data[].supporter_user_id",
                "a subscriber row has no supporter_user_id",
                serde_json::to_vec(self).unwrap_or_default(),
            )
        })?;
        let id = subscription_id(&user, self.membership_setting_id.as_deref().unwrap_or(""));
        let mut s = Subscriber::new(GANK, id, status);
        s.product_id = self.membership_setting_id.clone();
        s.customer = Customer::new(Some(user), None, None, self.supporter_nickname.clone());
        s.started_at = self.started_at();
        s.ends_at = self.ends_at();
        s.provider_data = ProviderData::new(self.clone());
        Ok(s)
    }
}

// ---------------------------------------------------------------- sales

impl Transaction {
    /// This transaction as a core [`Sale`]: id `human_id` (else `id`),
    /// product the listing (`catalog_id`) or membership setting (when the
    /// payload names one), customer the buyer or subscriber, amount `price`
    /// when sent. The transaction is kept in `provider_data`.
    ///
    /// # Errors
    /// [`Error::Decode`] when the transaction has neither `human_id` nor `id`.
    pub fn to_sale(&self) -> Result<Sale> {
        let id = self.key().ok_or_else(|| {
            Error::decode(
                GANK,
                ".human_id",
                "the transaction has neither human_id nor id",
                serde_json::to_vec(self).unwrap_or_default(),
            )
        })?;
        let mut sale = Sale::new(GANK, id);
        match self.usecase_data.as_ref().map(|u| &u.data) {
            Some(UsecasePayload::Membership(m)) => fill_membership(&mut sale, m),
            Some(UsecasePayload::DigitalGoods(d)) => fill_digital_goods(&mut sale, d),
            Some(UsecasePayload::Other(_)) | None => {}
        }
        sale.amount = self.price.as_ref().map(|p| p.money());
        sale.created_at = self.created_at();
        sale.provider_data = ProviderData::new(self.clone());
        Ok(sale)
    }
}

/// A membership payment's product (the membership setting, when named),
/// tier title, subscriber and subscription (`"{user}:{setting}"`, the id
/// [`membership_subscriber`] gives, when both are named).
fn fill_membership(sale: &mut Sale, m: &MembershipTxData) {
    sale.product_id = m.membership_setting_id();
    sale.product_name = m.membership_title.clone();
    sale.customer = Customer::new(
        m.subscriber_user_id.clone(),
        m.subscriber_user_email.clone(),
        None,
        m.subscriber_user_nickname.clone(),
    );
    if let (Some(user), Some(setting)) = (&m.subscriber_user_id, &sale.product_id) {
        sale.subscription_id = Some(subscription_id(user, setting));
    }
}

/// A digital-goods purchase's product (the listing) and buyer.
fn fill_digital_goods(sale: &mut Sale, d: &DigitalGoodsTxData) {
    sale.product_id = d.catalog_id.clone();
    sale.product_name = d.catalog_title.clone();
    sale.customer = Customer::new(
        d.buyer_user_id.clone(),
        d.buyer_user_email.clone(),
        None,
        d.buyer_user_nickname(),
    );
}

/// The id of a subscriber of a membership setting: Gank lists expose no
/// subscription id, so it is `"{supporter_user_id}:{membership_setting_id}"`.
fn subscription_id(user: &str, setting: &str) -> String {
    format!("{user}:{setting}")
}

// ---------------------------------------------------------------- webhooks

impl GankEvent {
    /// This delivery as a core [`WebhookEvent`]: subject `human_id` (for an
    /// unknown event without one, `sha256:` and the hash of the raw JSON, which
    /// is the same on a redelivery), a [`Sale`] for the two known events and a
    /// [`Subscriber`] for membership payments, and the fields that could not
    /// be read in `field_errors`. The parsed delivery is kept in `provider_data`.
    pub fn to_event(&self) -> WebhookEvent {
        let name = self.event().as_str().to_owned();
        let subject = match self.human_id() {
            Some(h) => h.to_owned(),
            None => format!("sha256:{}", hash_hex(&self.raw().to_string())),
        };
        let kind = match self {
            GankEvent::MembershipPayment(_) => EventKind::MembershipPayment,
            GankEvent::DigitalGoodsPurchase(_) => EventKind::Sale,
            GankEvent::Unknown { event, .. } => EventKind::Unknown(event.as_str().to_owned()),
        };
        let mut event = WebhookEvent::new(GANK, kind, name, subject.clone());
        event.field_errors = self.field_errors().to_vec();
        match self {
            GankEvent::MembershipPayment(e) => {
                let mut sale = Sale::new(GANK, subject.clone());
                fill_membership(&mut sale, &e.data);
                event.subscriber =
                    membership_subscriber(&e.data, &sale.customer, ProviderData::new(self.clone()));
                sale.provider_data = ProviderData::new(self.clone());
                event.sale = Some(sale);
            }
            GankEvent::DigitalGoodsPurchase(e) => {
                let mut sale = Sale::new(GANK, subject.clone());
                fill_digital_goods(&mut sale, &e.data);
                sale.provider_data = ProviderData::new(self.clone());
                event.sale = Some(sale);
            }
            GankEvent::Unknown { .. } => {}
        }
        event.provider_data = ProviderData::new(self.clone());
        event
    }
}

fn hash_hex(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The subscriber a membership payment is about, when it names both the
/// subscriber and the membership setting (a subscriber id needs both, and
/// the documented payloads carry no setting: none is made up).
pub(crate) fn membership_subscriber(
    m: &MembershipTxData,
    customer: &Customer,
    provider_data: ProviderData,
) -> Option<Subscriber> {
    let (user, setting) = (m.subscriber_user_id.as_ref()?, m.membership_setting_id()?);
    let mut sub = Subscriber::new(
        GANK,
        subscription_id(user, &setting),
        SubscriptionStatus::Active,
    );
    sub.product_id = Some(setting);
    sub.customer = customer.clone();
    sub.provider_data = provider_data;
    Some(sub)
}
