//! The `creator` binary; everything lives in the `creator_cli` library.

fn main() -> std::process::ExitCode {
    creator_cli::main_entry()
}
