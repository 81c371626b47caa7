//! Tells the PostgreSQL ledger tests (`tests/it/postgres.rs`) whether a
//! server was named when they were built: with `CREATOR_TEST_POSTGRES_URL`
//! set they run (`--cfg creator_pg_tests`); without it they are compiled all
//! the same and reported as ignored, with the reason, never as passed.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(creator_pg_tests)");
    println!("cargo::rerun-if-env-changed=CREATOR_TEST_POSTGRES_URL");
    if std::env::var_os("CREATOR_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=creator_pg_tests");
    }
}
