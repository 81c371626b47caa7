//! `creator relay --config FILE`: every relay flag and every destination in
//! one TOML file.
//!
//! The keys are the flags' long names (`listen = "0.0.0.0:8787"`,
//! `max-connections = 512`, `trusted-proxy = ["127.0.0.1"]`, `quiet = true`),
//! read from the relay's own clap definition: a flag added to
//! [`RelayArgs`](super::relay::RelayArgs) is a config key at once, with the
//! same parser, and there is no second list to keep. The file's values are
//! handed to clap as if typed, after what was typed, and only for flags not
//! given on the command line or in their environment variable: those win.
//!
//! Secrets (`gumroad-secret`, `gank-key`, `read-token`, …: every flag whose
//! value is a [`Secret`]) are never inline: `{ env = "NAME" }` reads an
//! environment variable, `{ file = "path" }` a file (relative to the config
//! file; one trailing newline dropped). Any other value may be given the
//! same way. No message ever shows a secret's value.
//!
//! Destinations are `[[destination]]` tables (`name`, `url`, `secret`,
//! `provider`, `kind`), added to the ledger on start when missing.

use std::ffi::OsString;
use std::ops::Range;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory as _};
use creator_core::Secret;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::CliError;

/// Flags of `creator relay` that are not config keys.
const NOT_KEYS: [&str; 3] = ["config", "check-config", "help"];

/// A `[[destination]]` of the config file.
#[derive(Debug, Clone)]
pub struct ConfiguredDestination {
    /// Its name (unique in the ledger).
    pub name: String,
    /// Where events are POSTed.
    pub url: String,
    /// Its signing secret (`whsec_…`); generated on first start when left out.
    pub secret: Option<Secret>,
    /// Only events of this provider.
    pub provider: Option<String>,
    /// Only this kind or platform event name.
    pub kind: Option<String>,
    /// `FILE:LINE:COLUMN` of its table, for messages.
    pub at: String,
}

/// The command line with the config file applied (`argv` as the process got it).
///
/// Without `creator relay --config`, `matches` comes back as it is.
///
/// # Errors
/// [`CliError::Usage`] naming `FILE:LINE:COLUMN` for a file that cannot be
/// read or parsed, an unknown key, a value its flag's parser refuses, an
/// inline secret, or a reference that does not resolve.
pub fn apply(
    matches: ArgMatches,
    argv: Vec<OsString>,
) -> Result<(ArgMatches, Vec<ConfiguredDestination>), CliError> {
    let Some(("relay", sub)) = matches.subcommand() else {
        return Ok((matches, Vec::new()));
    };
    let Some(path) = sub.get_one::<PathBuf>("config").cloned() else {
        return Ok((matches, Vec::new()));
    };
    let relay = relay_command();
    let given = |id: &str| {
        matches!(
            sub.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    };
    let loaded = load(&path, &relay, &given)?;
    let mut argv = argv;
    argv.extend(loaded.tokens);
    let merged = crate::Cli::command()
        .try_get_matches_from(argv)
        .map_err(|e| CliError::Usage(format!("{}: {}", path.display(), clap_reason(&e))))?;
    Ok((merged, loaded.destinations))
}

/// The `relay` subcommand as clap defines it.
fn relay_command() -> clap::Command {
    let mut root = crate::Cli::command();
    root.build();
    root.find_subcommand("relay")
        .cloned()
        .unwrap_or_else(|| clap::Command::new("relay"))
}

/// What a config file adds.
#[derive(Debug, Default)]
struct Loaded {
    /// Command-line tokens for the keys not given otherwise.
    tokens: Vec<OsString>,
    destinations: Vec<ConfiguredDestination>,
}

/// A located message about the file.
struct Located<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Located<'_> {
    fn at(&self, span: Range<usize>) -> String {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{column}", self.path.display())
    }

    fn error(&self, span: Range<usize>, message: impl std::fmt::Display) -> CliError {
        CliError::Usage(format!("{}: {message}", self.at(span)))
    }
}

fn load(
    path: &Path,
    relay: &clap::Command,
    given: &dyn Fn(&str) -> bool,
) -> Result<Loaded, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!("--config {}: cannot read it ({e})", path.display()))
    })?;
    let here = Located { path, text: &text };
    let doc = DeTable::parse(&text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        here.error(span, format!("not valid TOML: {}", e.message().trim()))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut loaded = Loaded::default();
    for (key, value) in doc.get_ref().iter() {
        let name = key.get_ref().as_ref();
        if name == "destination" {
            loaded
                .destinations
                .extend(destinations(&here, base, value)?);
            continue;
        }
        let Some(arg) = relay
            .get_arguments()
            .find(|a| a.get_long() == Some(name) && !NOT_KEYS.contains(&name))
        else {
            return Err(here.error(key.span(), unknown_key(relay, name)));
        };
        if given(arg.get_id().as_str()) {
            continue;
        }
        let tokens = tokens_for(&here, base, arg, value)?;
        check_value(&here, relay, arg, value.span(), &tokens)?;
        loaded.tokens.extend(tokens);
    }
    Ok(loaded)
}

fn unknown_key(relay: &clap::Command, name: &str) -> String {
    let dashed = name.replace('_', "-");
    let known = relay
        .get_arguments()
        .filter_map(|a| a.get_long())
        .any(|l| l == dashed && !NOT_KEYS.contains(&l));
    if known {
        format!("unknown key `{name}`: the keys are the flags' names, here `{dashed}`")
    } else {
        format!(
            "unknown key `{name}`: the keys are the long flags of `creator relay --help` (without `--`) and [[destination]] tables"
        )
    }
}

/// Whether an argument holds a secret (its parser makes a [`Secret`]).
fn is_secret(arg: &clap::Arg) -> bool {
    arg.get_value_parser().type_id() == std::any::TypeId::of::<Secret>()
}

/// The command-line tokens for one key.
fn tokens_for(
    here: &Located<'_>,
    base: &Path,
    arg: &clap::Arg,
    value: &Spanned<DeValue<'_>>,
) -> Result<Vec<OsString>, CliError> {
    let long = arg.get_long().unwrap_or_default();
    let flag = OsString::from(format!("--{long}"));
    let span = value.span();
    match arg.get_action() {
        ArgAction::SetTrue | ArgAction::SetFalse => match value.get_ref() {
            DeValue::Boolean(true) => Ok(vec![flag]),
            DeValue::Boolean(false) => Ok(Vec::new()),
            other => Err(here.error(
                span,
                format!(
                    "`{long}` is on or off: write `{long} = true` (not {})",
                    other.type_str()
                ),
            )),
        },
        ArgAction::Append => {
            let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
                DeValue::Array(items) => items.iter().collect(),
                _ => vec![value],
            };
            let mut out = Vec::new();
            for item in items {
                out.push(flag.clone());
                out.push(scalar(here, base, arg, item)?.into());
            }
            Ok(out)
        }
        _ => Ok(vec![flag, scalar(here, base, arg, value)?.into()]),
    }
}

/// One value as text: a string, number or boolean, or a `{ env }` / `{ file }` reference.
fn scalar(
    here: &Located<'_>,
    base: &Path,
    arg: &clap::Arg,
    value: &Spanned<DeValue<'_>>,
) -> Result<String, CliError> {
    let long = arg.get_long().unwrap_or_default();
    let span = value.span();
    let secret = is_secret(arg);
    match value.get_ref() {
        DeValue::String(_) | DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_)
            if secret =>
        {
            Err(here.error(
                span,
                format!(
                    "`{long}` is a secret: give it as `{long} = {{ env = \"NAME\" }}` or `{long} = {{ file = \"PATH\" }}`, never inline"
                ),
            ))
        }
        DeValue::String(s) => Ok(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(|n| n.to_string())
            .map_err(|_| here.error(span.clone(), format!("`{long}`: the number is out of range"))),
        DeValue::Float(f) => Ok(f.as_str().to_owned()),
        DeValue::Boolean(b) => Ok(b.to_string()),
        DeValue::Table(t) => reference(here, base, long, span, t),
        other => Err(here.error(
            span,
            format!("`{long}` takes one value, not {}", other.type_str()),
        )),
    }
}

/// Resolves `{ env = "NAME" }` or `{ file = "PATH" }`.
fn reference(
    here: &Located<'_>,
    base: &Path,
    long: &str,
    span: Range<usize>,
    table: &DeTable<'_>,
) -> Result<String, CliError> {
    let entries: Vec<_> = table.iter().collect();
    let [(kind, target)] = entries.as_slice() else {
        return Err(here.error(
            span,
            format!("`{long}`: a reference is `{{ env = \"NAME\" }}` or `{{ file = \"PATH\" }}`"),
        ));
    };
    let Some(target_str) = target.get_ref().as_str() else {
        return Err(here.error(
            target.span(),
            format!("`{long}`: the name or path is a string"),
        ));
    };
    match kind.get_ref().as_ref() {
        "env" => match std::env::var(target_str) {
            Ok(v) if !v.is_empty() => Ok(v),
            Ok(_) => Err(here.error(
                target.span(),
                format!("`{long}` reads the environment variable {target_str}, which is empty"),
            )),
            Err(std::env::VarError::NotPresent) => Err(here.error(
                target.span(),
                format!("`{long}` reads the environment variable {target_str}, which is not set"),
            )),
            Err(std::env::VarError::NotUnicode(_)) => Err(here.error(
                target.span(),
                format!("`{long}` reads the environment variable {target_str}, which is not UTF-8"),
            )),
        },
        "file" => {
            let file = base.join(target_str);
            let text = std::fs::read_to_string(&file).map_err(|e| {
                here.error(
                    target.span(),
                    format!(
                        "`{long}` reads {}, which cannot be read ({e})",
                        file.display()
                    ),
                )
            })?;
            let text = text
                .strip_suffix("\r\n")
                .or_else(|| text.strip_suffix('\n'))
                .unwrap_or(&text);
            if text.is_empty() {
                return Err(here.error(
                    target.span(),
                    format!("`{long}` reads {}, which is empty", file.display()),
                ));
            }
            Ok(text.to_owned())
        }
        other => Err(here.error(
            kind.span(),
            format!(
                "`{long}`: `{other}` is no reference: use `env = \"NAME\"` or `file = \"PATH\"`"
            ),
        )),
    }
}

/// Runs the flag's own parser on the value, so a bad one is reported at its line.
fn check_value(
    here: &Located<'_>,
    relay: &clap::Command,
    arg: &clap::Arg,
    span: Range<usize>,
    tokens: &[OsString],
) -> Result<(), CliError> {
    if tokens.is_empty() {
        return Ok(());
    }
    let mut argv = vec![OsString::from("relay")];
    argv.extend(tokens.iter().cloned());
    match relay.clone().try_get_matches_from(argv) {
        Ok(_) => Ok(()),
        Err(e) => {
            let long = arg.get_long().unwrap_or_default();
            let reason = if is_secret(arg) {
                "not usable".to_owned()
            } else {
                clap_reason(&e)
            };
            Err(here.error(span, format!("`{long}`: {reason}")))
        }
    }
}

/// A clap error in one line, without its `error:` prefix and usage hint.
fn clap_reason(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    rendered
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_owned()
}

/// The `[[destination]]` tables.
fn destinations(
    here: &Located<'_>,
    base: &Path,
    value: &Spanned<DeValue<'_>>,
) -> Result<Vec<ConfiguredDestination>, CliError> {
    let DeValue::Array(items) = value.get_ref() else {
        return Err(here.error(
            value.span(),
            "`destination` is a list of tables: write each as [[destination]]",
        ));
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let Some(table) = item.get_ref().as_table() else {
            return Err(here.error(item.span(), "each destination is a table: [[destination]]"));
        };
        let at = here.at(item.span());
        let mut d = ConfiguredDestination {
            name: String::new(),
            url: String::new(),
            secret: None,
            provider: None,
            kind: None,
            at,
        };
        for (key, v) in table.iter() {
            let field = key.get_ref().as_ref();
            let text = |v: &Spanned<DeValue<'_>>| {
                v.get_ref().as_str().map(str::to_owned).ok_or_else(|| {
                    here.error(v.span(), format!("destination `{field}` is a string"))
                })
            };
            match field {
                "name" => d.name = text(v)?,
                "url" => d.url = text(v)?,
                "provider" => d.provider = Some(text(v)?),
                "kind" => d.kind = Some(text(v)?),
                "secret" => {
                    let Some(t) = v.get_ref().as_table() else {
                        return Err(here.error(
                            v.span(),
                            "a destination `secret` is a secret: give it as `secret = { env = \"NAME\" }` or `secret = { file = \"PATH\" }`, never inline",
                        ));
                    };
                    d.secret = Some(Secret::new(reference(here, base, "secret", v.span(), t)?));
                }
                other => {
                    return Err(here.error(
                        key.span(),
                        format!(
                            "unknown destination key `{other}`: a destination has name, url, secret, provider and kind"
                        ),
                    ));
                }
            }
        }
        for (field, missing) in [("name", d.name.is_empty()), ("url", d.url.is_empty())] {
            if missing {
                return Err(here.error(item.span(), format!("this destination has no `{field}`")));
            }
        }
        if let Some(p) = &d.provider
            && !matches!(p.as_str(), "gumroad" | "gank")
        {
            return Err(CliError::Usage(format!(
                "{}: destination {}: provider `{p}` is not gumroad or gank",
                d.at, d.name
            )));
        }
        out.push(d);
    }
    let mut names: Vec<&str> = out.iter().map(|d| d.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(CliError::Usage(format!(
            "{}: two destinations are named {}",
            here.path.display(),
            w[0]
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every flag of `creator relay`, those added later included, is a key:
    /// none is ever reported unknown, and each arrives as its own flag.
    #[test]
    fn every_relay_flag_is_a_config_key() {
        let relay = relay_command();
        let dir = std::env::temp_dir().join(format!("creator-relay-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("relay.toml");
        let mut keys = 0;
        for arg in relay.get_arguments() {
            let Some(long) = arg.get_long().filter(|l| !NOT_KEYS.contains(l)) else {
                continue;
            };
            let value = match arg.get_action() {
                ArgAction::SetTrue | ArgAction::SetFalse => "true",
                _ => "{ env = \"CREATOR_RELAY_CONFIG_TEST_VALUE\" }",
            };
            std::fs::write(&path, format!("{long} = {value}\n")).unwrap();
            match load(&path, &relay, &|_| false) {
                Ok(loaded) => assert_eq!(
                    loaded.tokens.first().and_then(|t| t.to_str()),
                    Some(format!("--{long}").as_str())
                ),
                Err(e) => assert!(!e.to_string().contains("unknown key"), "{long}: {e}"),
            }
            keys += 1;
        }
        assert!(keys >= 20, "{keys} keys");
        // Given on the command line or in the environment: the file's value is left out.
        std::fs::write(&path, "listen = \"127.0.0.1:1\"\n").unwrap();
        assert!(
            load(&path, &relay, &|id| id == "listen")
                .unwrap()
                .tokens
                .is_empty()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
