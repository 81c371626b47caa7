//! `cargo xtask`: project automation.
//!
//! - `cargo xtask ci`: the exact list of checks `.ci/run` performs (`--list` prints them).
//! - `cargo xtask fixtures check`: every fixture parses with its crate model and
//!   holds no unredacted secret, email or token.
//! - `cargo xtask fixtures record --provider gumroad|gank|maton [--base-url URL] [--only NAME]`:
//!   re-records fixtures from your own account (read-only endpoints only), redacted
//!   (`--out DIR` writes elsewhere than `fixtures/<provider>/`).

mod check;
mod ci;
mod record;
mod redact;
mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask <command>

commands:
  ci                      run every check CI runs (fmt, clippy, tests, docs)
  ci --list               print those checks
  fixtures check          check every fixture parses and holds no unredacted secret
  fixtures redact FILE..  redact files in place (JSON or form bodies), keeping their shape
  fixtures record --provider gumroad|gank|maton [--base-url URL] [--only NAME] [--out DIR]
                          re-record fixtures from your own account: read-only endpoints,
                          tokens from GUMROAD_ACCESS_TOKEN, GANK_LOGIN_TOKEN,
                          GANK_CREATOR_TOKEN or MATON_API_KEY, redacted before writing
                          (to fixtures/<provider>/, or DIR)"
    );
    ExitCode::from(2)
}

/// The workspace root (the parent of this crate's directory).
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn fixtures_check() -> ExitCode {
    let (count, problems) = check::check_all(&workspace_root().join("fixtures"));
    for p in &problems {
        eprintln!("{p}");
    }
    if problems.is_empty() {
        eprintln!("fixtures check: {count} files parse with their models; no unredacted secrets");
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "fixtures check: {} problem(s) in {count} files",
            problems.len()
        );
        ExitCode::FAILURE
    }
}

/// Redacts files in place: JSON keeps its bytes where nothing changes, form
/// bodies keep every key; anything else is only scanned.
fn fixtures_redact(files: &[&str]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let path = PathBuf::from(file);
        let result = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                let out = match redact::redact_json_bytes(&bytes) {
                    Ok(out) => out,
                    Err(_) => redact::redact_form(&String::from_utf8_lossy(&bytes)).into_bytes(),
                };
                std::fs::write(&path, &out).map_err(|e| e.to_string())?;
                Ok(scan::scan(&path, &out))
            });
        match result {
            Ok(findings) if findings.is_empty() => eprintln!("{file}: redacted"),
            Ok(findings) => {
                failed = true;
                for f in findings {
                    eprintln!("{file}: {}: still {} (edit it by hand)", f.location, f.what);
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{file}: {e}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `fixtures record --provider P [--base-url URL] [--only NAME]`.
fn fixtures_record(args: &[&str]) -> ExitCode {
    let mut provider = None;
    let mut base_url = None;
    let mut only = None;
    let mut out = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let slot = match *flag {
            "--provider" => &mut provider,
            "--base-url" => &mut base_url,
            "--only" => &mut only,
            "--out" => &mut out,
            other => {
                eprintln!("fixtures record: unknown argument `{other}`");
                return usage();
            }
        };
        match it.next() {
            Some(value) => *slot = Some(*value),
            None => {
                eprintln!("fixtures record: `{flag}` needs a value");
                return usage();
            }
        }
    }
    let platform = match provider.map(record::Platform::parse) {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            eprintln!("fixtures record: {e}");
            return ExitCode::from(2);
        }
        None => {
            eprintln!("fixtures record: --provider gumroad|gank|maton is required");
            return usage();
        }
    };
    let dir = match out {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("fixtures").join(match platform {
            record::Platform::Gumroad => "gumroad",
            record::Platform::Gank => "gank",
            record::Platform::Maton => "maton",
        }),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fixtures record: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let env = |name: &str| std::env::var(name).ok();
    match runtime.block_on(record::record(platform, base_url, only, &env, &dir)) {
        Ok(results) => {
            for r in results {
                match r {
                    record::Recorded::Written(path) => eprintln!("wrote {}", path.display()),
                    record::Recorded::Skipped(name, why) => eprintln!("skipped {name}: {why}"),
                }
            }
            eprintln!(
                "now run `cargo xtask fixtures check` and the tests; review snapshot changes"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fixtures record: {e}");
            ExitCode::FAILURE
        }
    }
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
            for step in ci::CI_STEPS {
                if !ci::run(step) {
                    return ExitCode::FAILURE;
                }
            }
            eprintln!("\n==> fixtures: cargo xtask fixtures check");
            if fixtures_check() != ExitCode::SUCCESS {
                return ExitCode::FAILURE;
            }
            eprintln!("\n==> all CI checks passed");
            ExitCode::SUCCESS
        }
        ["ci", "--list"] => {
            for step in ci::CI_STEPS {
                let env: String = step.env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
                println!("{env}{} {}", step.program, step.args.join(" "));
            }
            println!("cargo xtask fixtures check");
            ExitCode::SUCCESS
        }
        ["fixtures", "check"] => fixtures_check(),
        ["fixtures", "redact", files @ ..] if !files.is_empty() => fixtures_redact(files),
        ["fixtures", "record", rest @ ..] => fixtures_record(rest),
        _ => usage(),
    }
}
