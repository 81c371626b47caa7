//! Tells the tests that need a real outside component whether it was named
//! when they were built; without it they are compiled all the same and
//! reported as ignored, with the reason, never as passed:
//!
//! - `CREATOR_TEST_POSTGRES_URL`: the PostgreSQL ledger tests
//!   (`tests/it/postgres.rs`, `--cfg creator_pg_tests`);
//! - `CREATOR_TEST_STANDARDWEBHOOKS_PYTHON`: a Python interpreter with the
//!   `standardwebhooks` package, the independent verifier of forwarded
//!   events (`tests/it/forward_python.rs`, `--cfg creator_sw_tests`).
//!
//! `.ci/run` provides both.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(creator_pg_tests)");
    println!("cargo::rustc-check-cfg=cfg(creator_sw_tests)");
    println!("cargo::rerun-if-env-changed=CREATOR_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-env-changed=CREATOR_TEST_STANDARDWEBHOOKS_PYTHON");
    let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if set("CREATOR_TEST_POSTGRES_URL") {
        println!("cargo::rustc-cfg=creator_pg_tests");
    }
    if set("CREATOR_TEST_STANDARDWEBHOOKS_PYTHON") {
        println!("cargo::rustc-cfg=creator_sw_tests");
    }
}
