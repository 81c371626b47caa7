//! What the relay writes to its log: values from payloads are escaped and
//! cut, so a delivery can neither forge log lines nor flood the log.

use std::fmt::Write as _;

/// Longest value from a delivery written to the log, in characters.
pub const MAX_LOGGED_CHARS: usize = 200;

/// `value` with control characters escaped (`\n`, `\u{1b}`, …) and cut to
/// [`MAX_LOGGED_CHARS`] characters, marked with `…`.
pub(crate) fn clean(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(MAX_LOGGED_CHARS + 8));
    for (n, c) in value.chars().enumerate() {
        if n == MAX_LOGGED_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202e}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_values_cut() {
        assert_eq!(clean("a\nb\u{1b}[31mc\\"), "a\\nb\\u{1b}[31mc\\\\");
        let long = "x".repeat(500);
        let cut = clean(&long);
        assert_eq!(cut.chars().count(), MAX_LOGGED_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
