//! `cargo xtask ci`: the one list of checks `.ci/run` performs.

use std::process::Command;

/// One CI step: a name, the program and its arguments, and extra environment.
pub struct Step {
    pub name: &'static str,
    pub program: &'static str,
    pub args: &'static [&'static str],
    pub env: &'static [(&'static str, &'static str)],
}

/// The checks CI runs, in order. `.ci/run` calls `cargo xtask ci`, so this is the one list.
pub const CI_STEPS: &[Step] = &[
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

pub fn run(step: &Step) -> bool {
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
