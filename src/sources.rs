//! Where releases come from and how patiently: the index URL, the base of
//! the archives, offline mode, timeouts, retries and proxy exceptions.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::context::{BadValue, Context, Unit};
use crate::env_vars;

/// go.dev's release index, the default of `GOV_INDEX_URL`.
pub const DEFAULT_INDEX_URL: &str = "https://go.dev/dl/?mode=json&include=all";
/// go.dev's archives, the default of `GOV_DOWNLOAD_URL`.
pub const DEFAULT_DOWNLOAD_URL: &str = "https://dl.google.com/go/";

/// `GOV_HTTP_TIMEOUT`, in seconds: its range and default.
pub const HTTP_TIMEOUT: (RangeInclusive<f64>, Duration) = (0.1..=86_400.0, Duration::from_secs(30));
/// `GOV_RETRY_DELAY_MS`, in milliseconds: its range and default.
pub const RETRY_DELAY_MS: (RangeInclusive<f64>, Duration) =
    (0.0..=600_000.0, Duration::from_millis(500));
/// `GOV_DOWNLOAD_DEADLINE`, in seconds: its range and default (an hour:
/// a Go archive at 20 kB/s).
pub const DOWNLOAD_DEADLINE: (RangeInclusive<f64>, Duration) =
    (1.0..=604_800.0, Duration::from_secs(3600));

#[derive(Debug, Clone)]
pub struct Sources {
    pub index_url: String,
    pub download_url: String,
    /// `GOV_OFFLINE`: never touch the network.
    pub offline: bool,
    /// How long transfers may take, or the first variable (a timeout, a
    /// URL) whose value gov cannot take: then every transfer fails with
    /// it, and a command that transfers nothing is not stopped by it.
    pub transfers: Result<Patience, BadValue>,
    /// `NO_PROXY`: hosts reached directly.
    pub no_proxy: String,
}

/// How long transfers may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    /// Without a byte for this long, a transfer fails (retries included).
    pub timeout: Duration,
    /// The first back-off before a retry; it doubles.
    pub retry_delay: Duration,
    /// The most one transfer may take in all, however fast bytes come.
    pub deadline: Duration,
}

impl Patience {
    pub fn from_context(ctx: &Context) -> Result<Patience, BadValue> {
        let seconds = |name, (range, default): (RangeInclusive<f64>, Duration)| {
            ctx.duration(name, Unit::Seconds, range, default)
        };
        Ok(Patience {
            timeout: seconds(env_vars::GOV_HTTP_TIMEOUT, HTTP_TIMEOUT)?,
            retry_delay: ctx.duration(
                env_vars::GOV_RETRY_DELAY_MS,
                Unit::Milliseconds,
                RETRY_DELAY_MS.0,
                RETRY_DELAY_MS.1,
            )?,
            deadline: seconds(env_vars::GOV_DOWNLOAD_DEADLINE, DOWNLOAD_DEADLINE)?,
        })
    }
}

impl Sources {
    pub fn from_context(ctx: &Context) -> Sources {
        let text = |name, default: &str| ctx.text(name).unwrap_or(default).to_string();
        Sources {
            index_url: text(env_vars::GOV_INDEX_URL, DEFAULT_INDEX_URL),
            download_url: text(env_vars::GOV_DOWNLOAD_URL, DEFAULT_DOWNLOAD_URL),
            offline: ctx.is_set(env_vars::GOV_OFFLINE),
            transfers: check_url(ctx, env_vars::GOV_INDEX_URL)
                .and_then(|()| check_url(ctx, env_vars::GOV_DOWNLOAD_URL))
                .and_then(|()| Patience::from_context(ctx)),
            no_proxy: ctx
                .text(env_vars::NO_PROXY)
                .or_else(|| ctx.text(env_vars::NO_PROXY_LOWER))
                .unwrap_or_default()
                .to_string(),
        }
    }
}

/// Where bytes come from, as `GOV_INDEX_URL` and `GOV_DOWNLOAD_URL` take
/// it: a URL (`scheme://…`), or a path on this machine.
#[derive(Debug, PartialEq)]
pub enum Location {
    /// An `http://` or `https://` URL, or one of a scheme gov does not
    /// fetch (the client refuses it).
    Remote(Url),
    /// A path, or a `file://` URL, percent-decoded.
    Local(PathBuf),
    /// Written as a URL, but not one: `https://`, `file://host/x`.
    Invalid,
}

impl Location {
    pub fn parse(text: &str) -> Location {
        match Url::parse(text) {
            Ok(url) if Location::is_url(&url) => {
                if url.scheme() != "file" {
                    return Location::Remote(url);
                }
                match url.to_file_path() {
                    Ok(path) => Location::Local(path),
                    Err(()) => Location::Invalid,
                }
            }
            Ok(_) | Err(url::ParseError::RelativeUrlWithoutBase) => {
                Location::Local(PathBuf::from(text))
            }
            Err(_) => Location::Invalid,
        }
    }

    /// Written as `scheme://…` (or `file:`): a URL, not a path such as
    /// `/srv/go`, `mirror` or `c:go`.
    pub fn is_url(url: &Url) -> bool {
        url.has_authority() || url.scheme() == "file"
    }
}

/// What `GOV_INDEX_URL` and `GOV_DOWNLOAD_URL` take, for messages.
const URL_ACCEPTS: &str = "an http://, https:// or file:// URL, or a path";

/// The variable `name` unset, or a URL gov can fetch from.
fn check_url(ctx: &Context, name: &'static str) -> Result<(), BadValue> {
    match ctx.var(name) {
        None => Ok(()),
        Some(value) if value.to_str().is_some_and(is_fetchable) => Ok(()),
        Some(value) => Err(BadValue {
            name,
            value: value.to_string_lossy().into_owned(),
            accepts: URL_ACCEPTS.into(),
        }),
    }
}

/// An http, https or file URL, or a path, without control characters or
/// blanks around it.
pub fn is_fetchable(url: &str) -> bool {
    if url.is_empty() || url.trim() != url || url.chars().any(char::is_control) {
        return false;
    }
    match Location::parse(url) {
        Location::Local(_) => true,
        Location::Remote(url) => matches!(url.scheme(), "http" | "https"),
        Location::Invalid => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn defaults_values_and_bad_values() {
        let patience = |vars: &[(&'static str, &str)]| {
            Patience::from_context(&Context::with_vars(PathBuf::from("/"), vars))
        };
        assert_eq!(
            patience(&[]),
            Ok(Patience {
                timeout: Duration::from_secs(30),
                retry_delay: Duration::from_millis(500),
                deadline: Duration::from_secs(3600),
            })
        );
        let set = patience(&[
            (env_vars::GOV_HTTP_TIMEOUT, "2"),
            (env_vars::GOV_RETRY_DELAY_MS, "0"),
            (env_vars::GOV_DOWNLOAD_DEADLINE, "1.5"),
        ])
        .unwrap();
        assert_eq!(set.deadline, Duration::from_millis(1500));
        // A count of milliseconds that Duration arithmetic would overflow.
        let err =
            patience(&[(env_vars::GOV_RETRY_DELAY_MS, "18446744073709551615000")]).unwrap_err();
        assert_eq!(err.name, env_vars::GOV_RETRY_DELAY_MS);
        let err = patience(&[(env_vars::GOV_DOWNLOAD_DEADLINE, "0")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GOV_DOWNLOAD_DEADLINE is `0`, but it takes a number of seconds from 1 to 604800"
        );
    }

    #[test]
    fn urls_and_paths() {
        let local = |text| match Location::parse(text) {
            Location::Local(path) => Some(path),
            _ => None,
        };
        assert_eq!(local("file:///srv/m/a"), Some(PathBuf::from("/srv/m/a")));
        assert_eq!(
            local("file:///srv/my%20m/a"),
            Some(PathBuf::from("/srv/my m/a"))
        );
        assert_eq!(
            local("file://localhost/srv/m"),
            Some(PathBuf::from("/srv/m"))
        );
        assert_eq!(local("/srv/m/a"), Some(PathBuf::from("/srv/m/a")));
        assert_eq!(local("mirror"), Some(PathBuf::from("mirror")));
        assert_eq!(local("c:go"), Some(PathBuf::from("c:go")));
        assert!(matches!(
            Location::parse("https://x/a"),
            Location::Remote(_)
        ));
        assert_eq!(Location::parse("https://"), Location::Invalid);
        assert_eq!(Location::parse("file://host/srv"), Location::Invalid);
    }

    #[test]
    fn urls_gov_can_fetch_from() {
        for good in [
            "https://go.dev/dl/?mode=json&include=all",
            "HTTP://127.0.0.1:8080/",
            "file:///srv/go/index.json",
            "file:///srv/my%20mirror/",
            "/srv/go",
            "mirror",
        ] {
            assert!(is_fetchable(good), "{good:?}");
        }
        for bad in [
            "ftp://x/",
            "https://",
            "",
            " https://x",
            "https://x/\n",
            "javascript://x",
            "file://elsewhere/srv/go",
        ] {
            assert!(!is_fetchable(bad), "{bad:?}");
        }
        let ctx = Context::with_vars(
            PathBuf::from("/"),
            &[(env_vars::GOV_DOWNLOAD_URL, "ftp://mirror/go")],
        );
        assert_eq!(
            Sources::from_context(&ctx).transfers.unwrap_err().to_string(),
            "GOV_DOWNLOAD_URL is `ftp://mirror/go`, but it takes an http://, https:// or file:// URL, or a path"
        );
    }

    proptest::proptest! {
        #[test]
        fn prop_any_url_is_fetchable_or_named(text in "\\PC{0,40}|[a-zA-Z]{0,6}://\\PC{0,20}") {
            let ctx = Context::with_vars(PathBuf::from("/"), &[(env_vars::GOV_INDEX_URL, &text)]);
            match Sources::from_context(&ctx).transfers {
                Ok(_) => proptest::prop_assert!(text.is_empty() || is_fetchable(&text)),
                Err(bad) => {
                    proptest::prop_assert_eq!(bad.name, env_vars::GOV_INDEX_URL);
                    proptest::prop_assert!(!is_fetchable(&text));
                }
            }
        }

        #[test]
        fn prop_any_value_of_a_download_variable_is_in_range_or_named(
            text in "\\PC{1,24}|[0-9.]{1,30}",
            which in 0usize..3,
        ) {
            let name = [
                env_vars::GOV_HTTP_TIMEOUT,
                env_vars::GOV_RETRY_DELAY_MS,
                env_vars::GOV_DOWNLOAD_DEADLINE,
            ][which];
            let ctx = Context::with_vars(PathBuf::from("/"), &[(name, &text)]);
            match Patience::from_context(&ctx) {
                Ok(p) => {
                    proptest::prop_assert!(p.timeout >= Duration::from_millis(100));
                    proptest::prop_assert!(p.timeout <= Duration::from_secs(86_400));
                    proptest::prop_assert!(p.retry_delay <= Duration::from_secs(600));
                    proptest::prop_assert!(p.deadline >= Duration::from_secs(1));
                    proptest::prop_assert!(p.deadline <= Duration::from_secs(604_800));
                }
                Err(bad) => {
                    proptest::prop_assert_eq!(bad.name, name);
                    let prefix = format!("{name} is `");
                    proptest::prop_assert!(bad.to_string().starts_with(&prefix));
                }
            }
        }
    }
}
