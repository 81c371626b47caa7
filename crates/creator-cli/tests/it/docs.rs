//! Completions, man pages and help, all generated from the clap definitions.

use clap::CommandFactory;

use crate::support::*;

#[test]
fn the_command_tree_is_well_formed_and_every_command_has_help() {
    let cmd = creator_cli::Cli::command();
    cmd.clone().debug_assert();
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{path} {}", sub.get_name());
            if sub
                .get_about()
                .is_none_or(|a| a.to_string().trim().is_empty())
            {
                missing.push(name.clone());
            }
            walk(sub, &name, missing);
        }
    }
    let mut missing = Vec::new();
    walk(&cmd, "creator", &mut missing);
    assert!(missing.is_empty(), "commands without help: {missing:?}");
}

#[tokio::test]
async fn completions_and_man_pages_cover_the_write_commands() {
    let out = run({
        let mut c = creator();
        c.args(["completions", "bash"]);
        c
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let script = stdout(&out);
    for word in [
        "refund",
        "subscribe-all",
        "offer-codes",
        "--dry-run",
        "--no-input",
    ] {
        assert!(script.contains(word), "{word} not completed");
    }
    let out = run({
        let mut c = creator();
        c.args(["completions", "nushell"]);
        c
    })
    .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );

    let dir = TempDir::new("man");
    let out = run({
        let mut c = creator();
        c.args(["man", "--out-dir"]).arg(dir.path());
        c
    })
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    for page in [
        "creator.1",
        "creator-sales-refund.1",
        "creator-license-rotate.1",
        "creator-webhooks-subscribe-all.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page} is not a man page");
    }
    let refund = std::fs::read_to_string(dir.path().join("creator-sales-refund.1")).unwrap();
    assert!(refund.contains("dry\\-run"), "{refund}");
}

#[test]
fn the_readme_lists_every_command() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    // A command is listed when its path appears, or its group's line lists it
    // (`creator upsells list|view|create|delete`).
    fn walk(cmd: &clap::Command, path: &str, readme: &str, missing: &mut Vec<String>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = sub.get_name();
            let full = format!("{path} {name}");
            let listed = readme.contains(&format!("{full} "))
                || readme.contains(&format!("{full}\n"))
                || readme.lines().any(|l| {
                    l.starts_with(&format!("{path} "))
                        && l[path.len() + 1..]
                            .split_whitespace()
                            .next()
                            .is_some_and(|w| w.split('|').any(|n| n == name))
                });
            if !listed {
                missing.push(full.clone());
            }
            walk(sub, &full, readme, missing);
        }
    }
    let mut missing = Vec::new();
    walk(
        &creator_cli::Cli::command(),
        "creator",
        &readme,
        &mut missing,
    );
    assert!(missing.is_empty(), "not in README.md: {missing:?}");
}
