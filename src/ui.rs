//! What gov prints for people: `warning:`, `error:` and `hint:` labels,
//! colour (through `anstream`: only on a terminal, never with `NO_COLOR`,
//! forced with `CLICOLOR_FORCE`), the escaping of every value that came
//! from a file, the network or the environment, and [`Progress`].

use std::borrow::Cow;
use std::io::{IsTerminal, Read, Write};

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

/// The one reporter of progress, on stderr: bars while bytes come (on a
/// terminal only, and without colour), and a plain line when a piece of
/// work ends (above the bars on a terminal, as it is elsewhere); nothing
/// at all with `--quiet`.
#[derive(Clone)]
pub struct Progress {
    bars: Option<indicatif::MultiProgress>,
    lines: bool,
}

impl Progress {
    /// For stderr as it is: bars on a terminal, lines off it, nothing
    /// when `quiet`.
    pub fn new(quiet: bool) -> Progress {
        let bars = !quiet && std::io::stderr().is_terminal();
        Progress {
            bars: bars.then(indicatif::MultiProgress::new),
            lines: !quiet,
        }
    }

    /// Neither bars nor lines.
    pub fn hidden() -> Progress {
        Progress {
            bars: None,
            lines: false,
        }
    }

    /// A piece of work whose transfers show as bars labelled `label`
    /// (`Go 1.22.4`).
    pub fn task(&self, label: impl Into<String>) -> Task {
        Task {
            bars: self.bars.clone(),
            label: label.into(),
        }
    }

    /// A line saying a piece of work ended (`Go 1.22.4: passed in
    /// 1.20s`), escaped.
    pub fn finished(&self, message: &str) {
        if !self.lines {
            return;
        }
        let print = || eprintln!("{}", escape(message));
        match &self.bars {
            Some(bars) => bars.suspend(print),
            None => print(),
        }
    }
}

/// One piece of work of a [`Progress`].
pub struct Task {
    bars: Option<indicatif::MultiProgress>,
    label: String,
}

impl Task {
    /// A bar for one transfer of `length` bytes (a spinner when unknown),
    /// gone when dropped; nothing off a terminal.
    pub fn bar(&self, length: Option<u64>) -> Bar {
        let Some(bars) = &self.bars else {
            return Bar(None);
        };
        let bar = match length {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message(escape(&self.label).into_owned());
        Bar(Some((bars.add(bar), bars.clone())))
    }
}

/// A transfer's bar: cleared and taken off the terminal when dropped, so
/// that a finished or failed transfer leaves no stale line.
pub struct Bar(Option<(indicatif::ProgressBar, indicatif::MultiProgress)>);

impl Bar {
    /// `reader`, moving the bar as bytes are read.
    pub fn wrap<'r>(&self, reader: Box<dyn Read + Send + 'r>) -> Box<dyn Read + Send + 'r> {
        match &self.0 {
            Some((bar, _)) => Box::new(bar.wrap_read(reader)),
            None => reader,
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some((bar, bars)) = &self.0 {
            bar.finish_and_clear();
            bars.remove(bar);
        }
    }
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
