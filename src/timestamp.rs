//! Times as gov writes them, in the history of the global default, in
//! install records and in SBOMs: RFC 3339 in UTC, to the second
//! (`2026-12-01T15:20:07Z`). The `time` crate does the calendar; this
//! module fixes the shape, and reading accepts exactly that shape.

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime};

/// `time` as RFC 3339 in UTC, to the second. A clock before 1970 reads
/// as 1970, one past the year 9999 (RFC 3339 has four-digit years) as its
/// last second.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let last = PrimitiveDateTime::MAX.assume_utc();
    let at = i64::try_from(secs)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or(last);
    format(at)
}

/// Is `text` a time as [`rfc3339`] writes them: UTC (`Z`), whole seconds,
/// a real date?
pub fn is_rfc3339(text: &str) -> bool {
    OffsetDateTime::parse(text, &Rfc3339).is_ok_and(|at| at.offset().is_utc() && format(at) == text)
}

/// `at`, a UTC time, to the second.
fn format(at: OffsetDateTime) -> String {
    let whole = at.replace_nanosecond(0).unwrap_or(at);
    // A UTC time with four-digit year always formats.
    whole.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_dates() {
        let at = |secs| rfc3339(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_764_602_407), "2025-12-01T15:20:07Z");
        assert_eq!(at(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_millis(1_764_602_407_999)),
            "2025-12-01T15:20:07Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(at(400_000_000_000), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn only_the_written_shape_reads() {
        assert!(is_rfc3339("2024-06-01T12:00:00Z"));
        assert!(is_rfc3339("2000-02-29T00:00:00Z"));
        for text in [
            "2024-06-01T12:00:00+02:00",
            "2024-06-01T12:00:00.5Z",
            "2024-06-01t12:00:00z",
            "2024-06-01 12:00:00",
            "2024-13-01T12:00:00Z",
            "2023-02-29T00:00:00Z",
            "0000-01-01T00:00:00+02:00",
            "",
        ] {
            assert!(!is_rfc3339(text), "{text}");
        }
    }
}
