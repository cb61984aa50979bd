//! What gov prints for people: `warning:` lines, colour (only on a
//! terminal, never with `NO_COLOR`), and the escaping of every value that
//! came from a file, the network or the environment.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

use crate::env_vars;

/// Whether stderr gets colour: a terminal, and `NO_COLOR` unset or empty.
pub fn color_stderr() -> bool {
    std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty()) && io::stderr().is_terminal()
}

/// `text` in the ANSI style `code` when `color`.
pub fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Prints a `warning:` line on stderr.
pub fn warn(message: &str) {
    let label = paint(color_stderr(), "1;33", "warning:");
    let _ = writeln!(io::stderr(), "{label} {}", escape(message));
}

/// `text` with control characters (escape sequences, newlines, carriage
/// returns) and the invisible bidirectional overrides written as Rust
/// escapes (`\u{1b}`, `\n`), so that a hostile `.go-version` or server
/// cannot repaint the terminal or forge a line of gov's output.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_repaint_the_terminal() {
        assert_eq!(escape("plain 1.22.4 `/tmp/é`"), "plain 1.22.4 `/tmp/é`");
        assert_eq!(
            escape("\x1b[2J1.22\r\nhint: x"),
            "\\u{1b}[2J1.22\\r\\nhint: x"
        );
        assert_eq!(escape("a\u{202e}b\tc"), "a\\u{202e}b\\tc");
        assert!(matches!(escape("ok"), Cow::Borrowed(_)));
    }
}
