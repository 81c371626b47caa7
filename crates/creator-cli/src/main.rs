//! The `creator` binary; everything lives in the `creator_cli` library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    creator_cli::main_entry()
}
