//! `gov prune [--older-than DURATION] [--dry-run]`: remove what gov left
//! behind and nobody uses (see `store::prune`).

use std::time::Duration;

use crate::error::Error;
use crate::settings::Settings;
use crate::toolchain_env;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov prune --dry-run             what would go
  gov prune --older-than 2d       on a CI node, in a nightly job")]
pub struct Args {
    /// Remove only what nothing touched for this long: 90s, 30m, 12h, 7d, 2w
    #[arg(long, default_value = "7d", value_parser = parse_duration)]
    older_than: Duration,
    /// Only say what would be removed
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    if !args.dry_run {
        settings.check_writable()?;
    }
    let job = toolchain_env::job_key(&settings.ctx);
    let pruned = settings.store.prune(
        args.older_than,
        &settings.sources.index_url,
        job.as_deref(),
        args.dry_run,
    )?;
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    let mut total = 0;
    for p in &pruned {
        total += p.bytes;
        println!(
            "{verb} `{}` ({}, {})",
            crate::ui::escape(&p.path.display().to_string()),
            size(p.bytes),
            p.what
        );
    }
    settings.say(match pruned.len() {
        0 => "nothing to prune".to_string(),
        n => format!("{verb} {n} item(s), {}", size(total)),
    });
    Ok(())
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// `90s`, `30m`, `12h`, `7d`, `2w`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is no duration: write a number and a unit, as in 7d"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 7 * 86400,
        _ => return Err(format!("`{text}`: the unit is s, m, h, d or w, as in 7d")),
    };
    n.checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`{text}` is longer than gov can count"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86400)
        );
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("7").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("3y").is_err());
    }
}
