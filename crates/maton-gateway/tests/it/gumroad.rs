//! The unchanged gumroad-api client routed through Maton.
