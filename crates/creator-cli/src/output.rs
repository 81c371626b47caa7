//! Streaming output in `table`, `json`, `jsonl` and `csv`: each record is
//! written as it arrives, so memory stays constant however long the list.

use std::io::{self, Write};

use clap::ValueEnum;
use creator_core::{Product, Sale, Subscriber};
use serde::Serialize;
use serde_json::Value;

use crate::ledger::{QuarantinedDelivery, StoredEvent};

/// Output format of the list commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Aligned columns for people (long cells are cut with `…`).
    #[default]
    Table,
    /// One JSON array (written incrementally).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header row. A cell that starts with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return is written with a leading `'` so
    /// a spreadsheet shows it as text instead of running it as a formula;
    /// plain numbers such as a refund's `-12.50` are left as they are.
    Csv,
}

/// A record the list commands can print.
pub trait Record: Serialize {
    /// Column names and their table widths.
    const COLUMNS: &'static [(&'static str, usize)];
    /// One cell per column, as text.
    fn cells(&self) -> Vec<String>;
    /// The JSON form (defaults to the serde serialization).
    fn json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Writes records one at a time in the chosen format.
#[derive(Debug)]
pub struct RecordWriter<W: Write> {
    out: W,
    format: Format,
    count: u64,
    columns: &'static [(&'static str, usize)],
}

impl<W: Write> RecordWriter<W> {
    /// A writer for records of type `R`.
    pub fn new<R: Record>(out: W, format: Format) -> Self {
        Self {
            out,
            format,
            count: 0,
            columns: R::COLUMNS,
        }
    }

    /// A writer whose table and CSV columns are given here (for records
    /// whose columns are chosen at run time, such as JSON objects).
    pub fn with_columns(out: W, format: Format, columns: &'static [(&'static str, usize)]) -> Self {
        Self {
            out,
            format,
            count: 0,
            columns,
        }
    }

    /// Records written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    fn header(&mut self) -> io::Result<()> {
        match self.format {
            Format::Table => {
                let names: Vec<String> = self.columns.iter().map(|(n, _)| n.to_string()).collect();
                let line = table_line(&names, self.columns);
                writeln!(self.out, "{line}")?;
                let rule: Vec<String> = self
                    .columns
                    .iter()
                    .map(|(n, w)| "-".repeat((*w).max(n.len()).min(40)))
                    .collect();
                writeln!(self.out, "{}", table_line(&rule, self.columns))
            }
            Format::Csv => {
                let names: Vec<String> = self.columns.iter().map(|(n, _)| n.to_string()).collect();
                writeln!(self.out, "{}", csv_line(&names))
            }
            Format::Json => write!(self.out, "["),
            Format::Jsonl => Ok(()),
        }
    }

    /// Writes one record.
    ///
    /// # Errors
    /// When writing fails (a closed pipe is [`io::ErrorKind::BrokenPipe`]).
    pub fn write<R: Record>(&mut self, record: &R) -> io::Result<()> {
        if self.count == 0 {
            self.header()?;
        }
        match self.format {
            Format::Table => writeln!(self.out, "{}", table_line(&record.cells(), self.columns))?,
            Format::Csv => writeln!(self.out, "{}", csv_line(&record.cells()))?,
            Format::Json => {
                let sep = if self.count == 0 { "\n" } else { ",\n" };
                write!(self.out, "{sep}{}", record.json())?;
            }
            Format::Jsonl => writeln!(self.out, "{}", record.json())?,
        }
        self.count += 1;
        Ok(())
    }

    /// Flushes what was written so far (call it before waiting for the next
    /// page, so a slow export shows up progressively in a pipe).
    ///
    /// # Errors
    /// When writing fails.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Ends a complete list: closes the JSON array, prints the table or CSV
    /// header of an empty list (so an empty result still says which columns
    /// it would have had, and a CSV of it is a valid empty table), and flushes.
    ///
    /// # Errors
    /// When writing fails.
    pub fn finish(mut self) -> io::Result<u64> {
        match (self.format, self.count) {
            (Format::Json, 0) => writeln!(self.out, "[]")?,
            (Format::Json, _) => writeln!(self.out, "\n]")?,
            (Format::Table | Format::Csv, 0) => self.header()?,
            _ => {}
        }
        self.out.flush()?;
        Ok(self.count)
    }

    /// Ends a list that failed part-way: closes a JSON array already started
    /// so what was printed stays valid, and flushes. Unlike [`finish`](Self::finish)
    /// it prints nothing when no record was written (no header, no `[]`), so a
    /// command whose first page fails leaves stdout empty and only its error
    /// on stderr.
    ///
    /// # Errors
    /// When writing fails.
    pub fn abandon(mut self) -> io::Result<u64> {
        if self.format == Format::Json && self.count > 0 {
            writeln!(self.out, "\n]")?;
        }
        self.out.flush()?;
        Ok(self.count)
    }
}

fn table_line(cells: &[String], columns: &[(&str, usize)]) -> String {
    let mut line = String::new();
    for (i, (cell, (name, width))) in cells.iter().zip(columns).enumerate() {
        let width = (*width).max(name.len());
        let cell = clean(cell);
        let last = i + 1 == columns.len();
        let shown = cut(&cell, width);
        line.push_str(&shown);
        if !last {
            let pad = width.saturating_sub(shown.chars().count());
            line.push_str(&" ".repeat(pad + 2));
        }
    }
    line.trim_end().to_owned()
}

/// A CSV header (the column names) and rows, cells neutralised as in
/// [`Format::Csv`].
pub(crate) fn write_csv(
    out: &mut dyn Write,
    columns: &[(String, usize)],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
    writeln!(out, "{}", csv_line(&names))?;
    for row in rows {
        writeln!(out, "{}", csv_line(row))?;
    }
    Ok(())
}

/// A table cell with control characters (newlines, escapes) replaced.
pub(crate) fn clean_cell(cell: &str) -> String {
    clean(cell)
}

/// Control characters (newlines, escapes) never reach the terminal.
fn clean(cell: &str) -> String {
    cell.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn cut(cell: &str, width: usize) -> String {
    if cell.chars().count() <= width {
        cell.to_owned()
    } else {
        let mut s: String = cell.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            let c = neutralise_formula(c);
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Keeps a spreadsheet from evaluating a CSV cell as a formula (CSV
/// injection): a cell that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return (OWASP's list) gets a leading `'`, which spreadsheets
/// show as text and do not evaluate.
///
/// The one exception is a cell that is a plain decimal number (`-12.50`,
/// `-3`): it cannot call anything, and a refund's negative amount must stay a
/// number a spreadsheet can add up. Deciding by the cell's content rather than
/// by its column means every column is covered, including the ones a webhook
/// sender or a buyer controls (product names, emails, event names, subject
/// ids), and a future column cannot be forgotten.
fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `-?digits(.digits)?`: what [`creator_core::Money::to_decimal_string`] and
/// integer columns print.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn ts(t: &Option<time::OffsetDateTime>) -> String {
    t.map(crate::ledger::timestamp)
        .map(|s| {
            // Seconds are enough on screen and in CSV.
            s.split('.').next().map(|x| format!("{x}Z")).unwrap_or(s)
        })
        .unwrap_or_default()
}

fn yes(b: bool) -> String {
    if b { "yes".into() } else { String::new() }
}

/// The status name as serialized (`active`, `pending_cancellation`, `unknown:<x>`).
fn status_name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(m)) => m
            .iter()
            .next()
            .map(|(k, v)| format!("{k}:{}", v.as_str().unwrap_or_default()))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

impl Record for Product {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("provider", 8),
        ("id", 26),
        ("name", 32),
        ("kind", 10),
        ("price", 12),
        ("currency", 8),
        ("published", 9),
        ("url", 40),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.provider.to_string(),
            self.id.clone(),
            self.name.clone(),
            status_name(&self.kind),
            self.price
                .map(|m| m.to_decimal_string())
                .unwrap_or_default(),
            self.price
                .map(|m| m.currency().to_string())
                .unwrap_or_default(),
            self.published.map(yes).unwrap_or_default(),
            opt(&self.url),
        ]
    }
}

impl Record for Sale {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("provider", 8),
        ("id", 26),
        ("created_at", 20),
        ("product_id", 26),
        ("product_name", 24),
        ("email", 28),
        ("amount", 10),
        ("currency", 8),
        ("refunded", 8),
        ("test", 4),
        ("subscription_id", 26),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.provider.to_string(),
            self.id.clone(),
            ts(&self.created_at),
            opt(&self.product_id),
            opt(&self.product_name),
            opt(&self.customer.email),
            self.amount
                .map(|m| m.to_decimal_string())
                .unwrap_or_default(),
            self.amount
                .map(|m| m.currency().to_string())
                .unwrap_or_default(),
            yes(self.refunded),
            yes(self.test),
            opt(&self.subscription_id),
        ]
    }
}

impl Record for Subscriber {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("provider", 8),
        ("id", 26),
        ("status", 20),
        ("product_id", 26),
        ("email", 28),
        ("nickname", 16),
        ("started_at", 20),
        ("ends_at", 20),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.provider.to_string(),
            self.id.clone(),
            status_name(&self.status),
            opt(&self.product_id),
            opt(&self.customer.email),
            opt(&self.customer.nickname),
            ts(&self.started_at),
            ts(&self.ends_at),
        ]
    }
}

/// An event with its raw body, for `creator events --with-body`.
#[derive(Debug, Serialize)]
pub struct EventWithBody<'a> {
    /// The stored event.
    #[serde(flatten)]
    pub event: &'a StoredEvent,
    /// The body as text when it is UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<String>,
    /// The body in base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_body_base64: Option<String>,
}

/// Splits a body into its text or base64 form.
pub fn body_forms(body: &[u8]) -> (Option<String>, Option<String>) {
    use base64::Engine;
    match std::str::from_utf8(body) {
        Ok(s) => (Some(s.to_owned()), None),
        Err(_) => (
            None,
            Some(base64::engine::general_purpose::STANDARD.encode(body)),
        ),
    }
}

const EVENT_COLUMNS: &[(&str, usize)] = &[
    ("id", 6),
    ("received_at", 20),
    ("provider", 8),
    ("kind", 22),
    ("name", 26),
    ("subject_id", 26),
    ("test", 4),
    ("deliveries", 10),
    ("verified", 9),
    ("unreadable_fields", 20),
];

/// The names of the fields a stored event could not read (`order_number, …`;
/// the last part of a nested path: the JSON formats carry the whole path).
fn unreadable_fields(e: &StoredEvent) -> String {
    e.field_errors
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|f| f.get("field").and_then(serde_json::Value::as_str))
                .map(|path| path.rsplit('.').next().unwrap_or(path))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn event_cells(e: &StoredEvent) -> Vec<String> {
    vec![
        e.id.to_string(),
        short_ts(&e.received_at),
        e.provider.clone(),
        e.kind.clone(),
        e.name.clone(),
        e.subject_id.clone(),
        yes(e.test),
        e.deliveries.to_string(),
        e.verified.clone(),
        unreadable_fields(e),
    ]
}

fn short_ts(s: &str) -> String {
    match s.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => s.to_owned(),
    }
}

impl Record for StoredEvent {
    const COLUMNS: &'static [(&'static str, usize)] = EVENT_COLUMNS;
    fn cells(&self) -> Vec<String> {
        event_cells(self)
    }
}

impl Record for EventWithBody<'_> {
    const COLUMNS: &'static [(&'static str, usize)] = EVENT_COLUMNS;
    fn cells(&self) -> Vec<String> {
        event_cells(self.event)
    }
}

/// A quarantined delivery with its body, for `creator quarantine`.
#[derive(Debug, Serialize)]
pub struct QuarantineWithBody<'a> {
    /// The row.
    #[serde(flatten)]
    pub delivery: &'a QuarantinedDelivery,
    /// The body (or its first bytes) as text when it is UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<String>,
    /// The body in base64 when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_body_base64: Option<String>,
}

impl Record for QuarantineWithBody<'_> {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("id", 6),
        ("received_at", 20),
        ("endpoint", 10),
        ("reason", 16),
        ("status", 6),
        ("body_size", 10),
        ("truncated", 9),
        ("authentic", 9),
        ("error", 60),
    ];
    fn cells(&self) -> Vec<String> {
        let d = self.delivery;
        vec![
            d.id.to_string(),
            short_ts(&d.received_at),
            d.endpoint.clone(),
            d.reason.clone(),
            d.status.to_string(),
            d.body_size.to_string(),
            yes(d.body_truncated),
            yes(d.authenticated),
            d.error.clone(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use creator_core::{Currency, Money, Provider};

    fn sale(id: &str, email: &str) -> Sale {
        let mut s = Sale::new(Provider::Gumroad, id);
        s.customer.email = Some(email.into());
        s.amount = Some(Money::from_minor(1999, Currency::USD));
        s
    }

    fn render(format: Format, sales: &[Sale]) -> String {
        let mut buf = Vec::new();
        let mut w = RecordWriter::new::<Sale>(&mut buf, format);
        for s in sales {
            w.write(s).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn json_is_one_valid_array_even_when_empty() {
        let out = render(Format::Json, &[sale("a", "x@y"), sale("b", "z@y")]);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(2));
        assert_eq!(v[0]["amount"]["minor_units"], 1999);
        let empty: Value = serde_json::from_str(&render(Format::Json, &[])).unwrap();
        assert_eq!(empty, Value::Array(vec![]));
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        let out = render(Format::Csv, &[sale("a", "o\"brien, \nx@y")]);
        let mut lines = out.lines();
        assert!(lines.next().unwrap().starts_with("provider,id,created_at"));
        assert!(out.contains("\"o\"\"brien, \nx@y\""), "{out}");
        assert!(out.contains(",19.99,USD,"), "{out}");
    }

    #[test]
    fn csv_neutralises_formula_cells_but_keeps_negative_amounts_numbers() {
        for (cell, shown) in [
            (
                "=HYPERLINK(\"https://x\")",
                "\"'=HYPERLINK(\"\"https://x\"\")\"",
            ),
            ("-2+3", "'-2+3"),
            ("+1", "'+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\"'\r=1\""),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("-1.", "'-1."),
            ("-1e3", "'-1e3"),
            ("-12.50", "-12.50"),
            ("-3", "-3"),
            ("12", "12"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("", ""),
        ] {
            assert_eq!(csv_line(&[cell.to_owned()]), shown, "{cell:?}");
        }
        let mut refund = sale("r", "-2+3@example.com");
        refund.amount = Some(Money::from_minor(-1250, Currency::USD));
        let out = render(Format::Csv, &[refund]);
        assert!(out.contains(",'-2+3@example.com,-12.50,USD,"), "{out}");
    }

    #[test]
    fn table_cuts_long_cells_and_strips_control_characters() {
        let long = format!("{}@example.com", "a".repeat(60));
        let out = render(Format::Table, &[sale("a\u{1b}[31m", &long)]);
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(out.contains('…'), "{out}");
        assert_eq!(out.lines().count(), 3);
    }

    #[test]
    fn an_abandoned_list_prints_no_header_and_keeps_json_valid() {
        for format in [Format::Table, Format::Json, Format::Jsonl, Format::Csv] {
            let mut buf = Vec::new();
            RecordWriter::new::<Sale>(&mut buf, format)
                .abandon()
                .unwrap();
            assert!(
                buf.is_empty(),
                "{format:?}: {}",
                String::from_utf8_lossy(&buf)
            );
        }
        let mut buf = Vec::new();
        let mut w = RecordWriter::new::<Sale>(&mut buf, Format::Json);
        w.write(&sale("a", "x@y")).unwrap();
        assert_eq!(w.abandon().unwrap(), 1);
        let v: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn an_empty_list_still_prints_its_header() {
        assert_eq!(render(Format::Table, &[]).lines().count(), 2);
        assert_eq!(
            render(Format::Csv, &[]),
            "provider,id,created_at,product_id,product_name,email,amount,currency,refunded,test,subscription_id\n"
        );
        assert_eq!(render(Format::Jsonl, &[]), "");
    }

    #[test]
    fn jsonl_is_one_object_per_line() {
        let out = render(Format::Jsonl, &[sale("a", "x@y"), sale("b", "z@y")]);
        for line in out.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert!(v.is_object());
        }
        assert_eq!(out.lines().count(), 2);
    }
}
