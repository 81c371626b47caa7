//! `creator completions SHELL` and `creator man`: shell completions and man
//! pages generated from the clap definitions, so they never drift from
//! `--help`.

use std::path::PathBuf;

use clap::{Args, CommandFactory};

use super::output_result;
use crate::CliError;

/// Options of `creator completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell (`bash`, `zsh`, `fish`, `elvish`, `powershell`). For bash:
    /// `creator completions bash > ~/.local/share/bash-completion/completions/creator`.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Options of `creator man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write one page per command (`creator.1`, `creator-sales-refund.1`, …)
    /// into this directory instead of printing `creator.1`.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// Prints the completion script for a shell.
///
/// # Errors
/// A failed write.
pub fn completions(args: &CompletionsArgs) -> Result<(), CliError> {
    let mut cmd = crate::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "creator", &mut script);
    output_result(std::io::Write::write_all(&mut std::io::stdout(), &script))
}

/// Prints `creator.1`, or writes every command's page into `--out-dir`.
///
/// # Errors
/// A directory that cannot be written, or a failed write.
pub fn man(args: &ManArgs) -> Result<(), CliError> {
    let cmd = crate::Cli::command();
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(CliError::Output)?;
            clap_mangen::generate_to(cmd, dir).map_err(CliError::Output)
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .map_err(CliError::Output)?;
            output_result(std::io::Write::write_all(&mut std::io::stdout(), &page))
        }
    }
}
