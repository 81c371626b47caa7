//! Placeholder; the benchmark is written later.
fn main() {}
