//! `cargo xtask`: project automation with no dependencies.
//!
//! - `cargo xtask ci`: the exact list of checks `.ci/run` performs.

use std::process::{Command, ExitCode};

/// One CI step: a name, the program and its arguments, and extra environment.
struct Step {
    name: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

/// The checks CI runs, in order. `.ci/run` calls `cargo xtask ci`, so this is the one list.
const CI_STEPS: &[Step] = &[
    Step {
        name: "format",
        program: "cargo",
        args: &["fmt", "--all", "--", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        program: "cargo",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "tests (the README's test command, doctests included)",
        program: "cargo",
        args: &["test", "--workspace", "--all-features"],
        env: &[],
    },
    Step {
        name: "docs",
        program: "cargo",
        args: &["doc", "--workspace", "--no-deps", "--all-features"],
        env: &[("RUSTDOCFLAGS", "-Dwarnings")],
    },
];

fn run(step: &Step) -> bool {
    eprintln!(
        "\n==> {}: {} {}",
        step.name,
        step.program,
        step.args.join(" ")
    );
    let mut cmd = Command::new(step.program);
    cmd.args(step.args);
    for (k, v) in step.env {
        cmd.env(k, v);
    }
    match cmd.status() {
        Ok(status) if status.success() => true,
        Ok(status) => {
            eprintln!("==> {} failed ({status})", step.name);
            false
        }
        Err(e) => {
            eprintln!("==> {} could not start `{}`: {e}", step.name, step.program);
            false
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask <command>\n\ncommands:\n  ci      run every check CI runs (fmt, clippy, tests, docs)\n  ci --list   print them"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["ci"] => {
            for step in CI_STEPS {
                if !run(step) {
                    return ExitCode::FAILURE;
                }
            }
            eprintln!("\n==> all CI checks passed");
            ExitCode::SUCCESS
        }
        ["ci", "--list"] => {
            for step in CI_STEPS {
                let env: String = step.env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
                println!("{env}{} {}", step.program, step.args.join(" "));
            }
            ExitCode::SUCCESS
        }
        _ => usage(),
    }
}
