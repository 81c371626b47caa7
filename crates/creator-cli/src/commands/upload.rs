//! `creator products upload PRODUCT FILE`: the multipart upload of
//! gumroad-api's [`Uploader`] with a progress bar on stderr, then the file
//! attached to the product. When the upload's completion fails in a way
//! that may have finished it, the library leaves it open; its handles are
//! kept next to the file (`FILE.creator-upload`) and `--resume` completes
//! it instead of uploading again.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use creator_core::Error;
use gumroad_api::upload::{UploadProgress, Uploader};
use gumroad_api::{CompletedPart, GumroadClient, NewFile};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Options of `creator products upload`.
#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// The product id.
    pub product: String,
    /// The file to upload.
    pub file: PathBuf,
    /// The name buyers see (default: the file name).
    #[arg(long)]
    pub name: Option<String>,
    /// Complete the upload a failed completion left open (from
    /// `FILE.creator-upload`) instead of uploading again.
    #[arg(long)]
    pub resume: bool,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// What `--resume` needs: the open upload's handles.
#[derive(Debug, Serialize, Deserialize)]
struct Open {
    upload_id: String,
    key: String,
    file_url: Option<String>,
    parts: Vec<CompletedPart>,
}

fn state_path(file: &std::path::Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".creator-upload");
    PathBuf::from(name)
}

/// The progress line: `[#####     ]  50%  1.0/2.0 MiB  part 1/2`.
fn bar(uploaded: u64, total: u64, parts_done: u32, parts: u32) -> String {
    const WIDTH: u64 = 30;
    let all = total.max(1);
    let done = uploaded.min(all);
    let filled = usize::try_from(done * WIDTH / all).unwrap_or(0);
    let tenths_mib = |b: u64| b * 10 / (1024 * 1024);
    let mib = |b: u64| format!("{}.{}", tenths_mib(b) / 10, tenths_mib(b) % 10);
    format!(
        "[{:<width$}] {:>3}%  {}/{} MiB  part {}/{}",
        "#".repeat(filled),
        done * 100 / all,
        mib(uploaded),
        mib(total),
        parts_done,
        parts,
        width = 30
    )
}

/// Draws [`bar`] on stderr, in place; a newline after the last part.
fn draw(p: &UploadProgress) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{}", bar(p.uploaded, p.total, p.parts_done, p.parts));
    if p.parts_done == p.parts {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}

/// True for an API on this machine over plain HTTP (a local test server or
/// proxy): then storage URLs on it may be plain HTTP too.
fn local_api(client: &GumroadClient) -> bool {
    let url = client.transport().base_url();
    url.scheme() == "http" && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// Uploads (or, with `--resume`, completes) the file and attaches it.
///
/// # Errors
/// The upload's error; [`Error::InvalidInput`] naming `--resume` when the
/// completion may have finished (the handles are then saved), or when there
/// is nothing to resume.
pub async fn upload(c: &GumroadClient, a: &UploadArgs) -> creator_core::Result<Value> {
    let state = state_path(&a.file);
    let uploaded = if a.resume {
        let text = std::fs::read_to_string(&state).map_err(|e| {
            Error::InvalidInput(format!(
                "nothing to resume: {} cannot be read ({e})",
                state.display()
            ))
        })?;
        let open: Open = serde_json::from_str(&text).map_err(|e| {
            Error::InvalidInput(format!("{} is not an upload state: {e}", state.display()))
        })?;
        let mut done = c
            .files()
            .complete(&open.upload_id, &open.key, &open.parts)
            .await?;
        done.file_url = done.file_url.or(open.file_url);
        done
    } else {
        let mut uploader = Uploader::new(c).allow_insecure_urls(local_api(c));
        if !a.no_progress && std::io::stderr().is_terminal() {
            uploader = uploader.progress(draw);
        }
        match uploader.upload_file(&a.file).await {
            Ok(done) => done,
            Err(failure) => {
                let Some(p) = failure
                    .pending
                    .filter(|_| matches!(failure.cleanup, gumroad_api::upload::Cleanup::Skipped))
                else {
                    return Err(failure.error);
                };
                let open = Open {
                    upload_id: p.upload_id,
                    key: p.key,
                    file_url: p.file_url,
                    parts: p.parts,
                };
                let saved = serde_json::to_string(&open)
                    .ok()
                    .and_then(|t| std::fs::write(&state, t).ok())
                    .is_some();
                let next = if saved {
                    format!(
                        "run it again with --resume to complete it (state in {})",
                        state.display()
                    )
                } else {
                    format!("and its state could not be saved to {}", state.display())
                };
                return Err(Error::InvalidInput(format!(
                    "the upload's completion failed and may have finished ({}): {next}",
                    failure.error
                )));
            }
        }
    };
    let url = uploaded
        .file_url
        .clone()
        .ok_or_else(|| Error::InvalidInput("Gumroad returned no file URL for the upload".into()))?;
    let mut file = NewFile::new(url.clone());
    if let Some(name) = &a.name {
        file = file.display_name(name.clone());
    }
    let product = c.product_files(&a.product).attach(&[file]).await?;
    let _ = std::fs::remove_file(&state);
    Ok(json!({"file_url": url, "product": product}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_bytes_sent() {
        const MIB: u64 = 1024 * 1024;
        assert_eq!(
            bar(0, 200 * MIB, 0, 2),
            format!("[{}]   0%  0.0/200.0 MiB  part 0/2", " ".repeat(30))
        );
        assert_eq!(
            bar(100 * MIB, 200 * MIB, 1, 2),
            format!(
                "[{}{}]  50%  100.0/200.0 MiB  part 1/2",
                "#".repeat(15),
                " ".repeat(15)
            )
        );
        assert!(
            bar(0, 0, 0, 0).contains("  0%"),
            "an empty file divides by one"
        );
    }
}
