//! The typed models of Maton's control-plane answers.

mod connection;

pub use connection::{AuthMethod, Connection, ConnectionStatus};
