//! What gov prints for people: `warning:`, `error:` and `hint:` labels,
//! colour (through `anstream`: only on a terminal, never with `NO_COLOR`,
//! forced with `CLICOLOR_FORCE`), and the escaping of every value that came
//! from a file, the network or the environment.

use std::borrow::Cow;
use std::io::Write;

use anstyle::{AnsiColor, Style};

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
pub const HINT: Style = AnsiColor::Cyan.on_default().bold();

/// `label` in `style`, then `message`, escaped, as one line on stderr.
pub fn line(style: Style, label: &str, message: &str) {
    let _ = writeln!(
        anstream::stderr(),
        "{style}{label}{style:#} {}",
        escape(message)
    );
}

/// Prints a `warning:` line on stderr.
pub fn warn(message: &str) {
    line(WARNING, "warning:", message);
}

/// `text` with control characters (escape sequences, newlines, carriage
/// returns, NEL), Unicode's line and paragraph separators and the invisible
/// bidirectional overrides written as Rust escapes (`\u{1b}`, `\n`,
/// `\u{2028}`), so that a hostile `.go-version` or server cannot repaint
/// the terminal or forge a line of gov's output, nor of a file gov writes.
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

/// Every character that breaks a line somewhere (Unicode's mandatory
/// breaks: LF, VT, FF, CR, NEL, LS, PS) or reorders what a reader sees.
fn needs_escape(c: char) -> bool {
    // C0 and C1 controls: among them LF, VT, FF, CR and NEL (U+0085).
    c.is_control()
        || matches!(
            c,
            // Line and paragraph separators.
            '\u{2028}' | '\u{2029}'
            // Bidirectional marks, embeddings, overrides and isolates.
            | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
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
        assert_eq!(
            escape("a\u{2028}b\u{2029}c\u{85}d\u{b}e\u{c}f"),
            "a\\u{2028}b\\u{2029}c\\u{85}d\\u{b}e\\u{c}f"
        );
        assert!(matches!(escape("ok"), Cow::Borrowed(_)));
    }

    use proptest::prelude::*;

    proptest! {
        /// Whatever the text, the escaped form is one line to every reader,
        /// and escaping it again changes nothing.
        #[test]
        fn prop_escaped_text_is_one_line(
            text in prop_oneof![any::<String>(), "[\\x00-\\x{a0}\\x{2028}\\x{2029}\\x{202e} a]*"]
        ) {
            let escaped = escape(&text);
            prop_assert!(!escaped.chars().any(needs_escape), "{escaped:?}");
            prop_assert_eq!(escape(&escaped), escaped.clone());
        }
    }
}
