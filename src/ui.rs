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
