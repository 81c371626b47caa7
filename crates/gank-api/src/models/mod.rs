//! The typed models of Gank's answers, one file per resource.

mod amount;
mod listing;
mod membership;
mod subscriber;
mod token;
mod transaction;
mod user;
mod webhook_registration;

pub use amount::Amount;
pub use listing::{Listing, ListingPage, ServicePrice};
pub use membership::{MembershipDetail, MembershipSetting};
pub use subscriber::{GankSubscriber, GankSubscriptionStatus, SubscriberPage, SubscriptionType};
pub use token::CreatorToken;
pub use transaction::{
    DigitalGoodsTxData, MembershipTxData, PaymentStatus, Transaction, TransactionPage, Usecase,
    UsecaseData, UsecasePayload,
};
pub use user::GankUser;
pub use webhook_registration::{GankEventName, WebhookRegistration};
