//! Output of the commands that show one object or a finished list (a sale,
//! a refund, offer codes, …): a table for people, `--format json|jsonl|csv`
//! for programs, `--jq EXPR` (a jq program run by [jaq], the maintained Rust
//! implementation), and `--quiet`.
//!
//! [jaq]: https://crates.io/crates/jaq-core

use std::io::{BufWriter, Write};

use clap::Args;
use serde::Serialize;
use serde_json::Value;

use crate::CliError;
use crate::commands::output_result;
use crate::output::{Format, Record, RecordWriter};

/// Output options of the commands that show objects.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputArgs {
    /// Output format: a table for people, or JSON, JSON Lines or CSV.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Filter the JSON output with a jq program (`.sale.email`,
    /// `.[] | select(.refunded)`); strings print without quotes.
    #[arg(long, value_name = "EXPR")]
    pub jq: Option<String>,
    /// Print nothing on success (the exit code says it worked).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl OutputArgs {
    /// True when the output is for a program (JSON formats or `--jq`).
    pub fn is_structured(&self) -> bool {
        self.jq.is_some() || matches!(self.format, Format::Json | Format::Jsonl)
    }
}

/// Columns of a list in table and CSV form: JSON keys (a `.`-separated
/// path for nested values) and table widths.
pub type Columns = &'static [(&'static str, usize)];

/// One object of a list, shown through its columns.
#[derive(Debug)]
struct Row<'a> {
    value: &'a Value,
    columns: Columns,
}

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl Record for Row<'_> {
    const COLUMNS: &'static [(&'static str, usize)] = &[];
    fn cells(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|(path, _)| cell(lookup(self.value, path)))
            .collect()
    }
    fn json(&self) -> Value {
        self.value.clone()
    }
}

/// The value at a `.`-separated path.
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// A JSON value as one table or CSV cell.
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "yes".into(),
        Some(Value::Bool(false)) => "no".into(),
        Some(Value::Array(items)) if items.iter().all(|i| !i.is_object()) => items
            .iter()
            .map(|i| cell(Some(i)))
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) => other.to_string(),
    }
}

/// Prints a list: rows through `columns` as a table or CSV, the items as a
/// JSON array or JSON Lines, or what `--jq` makes of the array.
///
/// # Errors
/// A bad `--jq` program, or a failed write.
pub fn list(items: &[Value], columns: Columns, out: &OutputArgs) -> Result<(), CliError> {
    if out.quiet {
        return Ok(());
    }
    if let Some(program) = &out.jq {
        return jq_print(program, &Value::Array(items.to_vec()));
    }
    let stdout = BufWriter::new(std::io::stdout());
    let mut writer = RecordWriter::with_columns(stdout, out.format, columns);
    for value in items {
        output_result(writer.write(&Row { value, columns }))?;
    }
    output_result(writer.finish())
}

/// Prints one object: `field  value` lines for people (nested objects as
/// JSON text), pretty JSON, one JSON line, a CSV header and row, or what
/// `--jq` makes of it.
///
/// # Errors
/// A bad `--jq` program, or a failed write.
pub fn object(value: &Value, out: &OutputArgs) -> Result<(), CliError> {
    if out.quiet {
        return Ok(());
    }
    if let Some(program) = &out.jq {
        return jq_print(program, value);
    }
    let mut stdout = std::io::stdout().lock();
    match out.format {
        Format::Json => output_result(writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        )),
        Format::Jsonl => output_result(writeln!(stdout, "{value}")),
        Format::Csv | Format::Table => {
            let pairs = flatten(value);
            if out.format == Format::Csv {
                let (keys, cells): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
                let columns: Vec<(String, usize)> = keys.into_iter().map(|k| (k, 0)).collect();
                output_result(crate::output::write_csv(&mut stdout, &columns, &[cells]))
            } else {
                let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 2;
                let text: String = pairs
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| format!("{k:<width$}{}\n", crate::output::clean_cell(v)))
                    .collect();
                output_result(stdout.write_all(text.as_bytes()))
            }
        }
    }
}

/// `key: value` pairs of an object, one level of nesting spelt `a.b`.
fn flatten(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| match v {
                Value::Object(inner) if inner.values().all(|x| !x.is_object()) => inner
                    .iter()
                    .map(|(ik, iv)| (format!("{k}.{ik}"), cell(Some(iv))))
                    .collect::<Vec<_>>(),
                other => vec![(k.clone(), cell(Some(other)))],
            })
            .collect(),
        other => vec![("value".into(), cell(Some(other)))],
    }
}

/// Prints one line on stdout for people (not under `--quiet`, nor when the
/// output is for a program, which gets `value` instead).
///
/// # Errors
/// A failed write or a bad `--jq` program.
pub fn done(message: &str, value: &Value, out: &OutputArgs) -> Result<(), CliError> {
    if out.quiet {
        return Ok(());
    }
    if out.is_structured() || out.format == Format::Csv {
        return object(value, out);
    }
    output_result(writeln!(std::io::stdout(), "{message}"))
}

/// Runs a jq program on `input`.
///
/// # Errors
/// [`CliError::Usage`] for a program that does not parse or compile, or
/// that fails on this input (`.a.b` on a string).
pub fn jq(program: &str, input: &Value) -> Result<Vec<Value>, CliError> {
    use jaq_core::load::{Arena, File, Loader};
    use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};

    let bad = |what: &str| CliError::Usage(format!("--jq `{program}`: {what}"));
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader
        .load(
            &arena,
            File {
                code: program,
                path: (),
            },
        )
        .map_err(|errors| bad(&load_errors(&errors)))?;
    let filter = Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| {
            let names: Vec<String> = errors
                .iter()
                .flat_map(|(_, errs)| errs.iter().map(|(name, _)| format!("`{name}`")))
                .collect();
            bad(&format!("unknown name {}", names.join(", ")))
        })?;
    let text = input.to_string();
    let value = jaq_json::read::parse_single(text.as_bytes())
        .map_err(|e| bad(&format!("the input is not JSON: {e}")))?;
    let ctx = Ctx::<data::JustLut<jaq_json::Val>>::new(&filter.lut, Vars::new([]));
    let mut results = Vec::new();
    for item in filter.id.run((ctx, value)).map(unwrap_valr) {
        let item = item.map_err(|e| bad(&format!("failed: {e}")))?;
        let shown = item.to_string();
        let json = serde_json::from_str(&shown).unwrap_or(Value::String(shown));
        results.push(json);
    }
    Ok(results)
}

fn load_errors<P>(errors: &jaq_core::load::Errors<&str, P>) -> String {
    use jaq_core::load::Error;
    let mut out = Vec::new();
    for (_, error) in errors {
        match error {
            Error::Io(items) => out.extend(items.iter().map(|(_, e)| e.clone())),
            Error::Lex(items) => out.extend(
                items
                    .iter()
                    .map(|(expected, at)| format!("expected {} at `{at}`", expected.as_str())),
            ),
            Error::Parse(items) => out.extend(
                items
                    .iter()
                    .map(|(expected, at)| format!("expected {} at `{at}`", expected.as_str())),
            ),
        }
    }
    if out.is_empty() {
        "does not parse".into()
    } else {
        format!("does not parse: {}", out.join("; "))
    }
}

/// Prints each result of a jq program: strings raw, everything else as
/// one line of JSON.
fn jq_print(program: &str, input: &Value) -> Result<(), CliError> {
    let results = jq(program, input)?;
    let mut text = String::new();
    for r in results {
        match r {
            Value::String(s) => text.push_str(&s),
            other => text.push_str(&other.to_string()),
        }
        text.push('\n');
    }
    output_result(std::io::stdout().write_all(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jq_runs_real_jq_programs() {
        let input = json!({"sales": [{"id": "a", "refunded": true, "price": 100}, {"id": "b", "refunded": false, "price": 250}]});
        assert_eq!(
            jq(".sales[] | select(.refunded) | .id", &input).unwrap(),
            vec![json!("a")]
        );
        assert_eq!(
            jq("[.sales[].price] | add", &input).unwrap(),
            vec![json!(350)]
        );
        assert_eq!(
            jq(".sales | map(.id) | join(\",\")", &input).unwrap(),
            vec![json!("a,b")]
        );
        assert_eq!(jq(".sales | length", &input).unwrap(), vec![json!(2)]);
    }

    #[test]
    fn jq_errors_are_usage_errors_never_panics() {
        for bad in [".[", "nosuchfn(1)", "| |"] {
            let err = jq(bad, &json!({})).unwrap_err();
            assert!(matches!(err, CliError::Usage(_)), "{bad}: {err}");
            assert!(err.to_string().contains("--jq"), "{err}");
        }
        assert!(jq(".a.b", &json!({"a": "text"})).is_err());
    }

    #[test]
    fn cells_show_people_text() {
        assert_eq!(cell(Some(&json!(true))), "yes");
        assert_eq!(cell(Some(&json!(null))), "");
        assert_eq!(cell(Some(&json!(["a", "b"]))), "a b");
        assert_eq!(cell(Some(&json!(12))), "12");
    }
}
