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
    /// `GOV_SOURCE` (`--source`): go.dev/dl style, or Go's module proxy;
    /// a value gov cannot take is kept to fail the commands that download.
    pub channel: Result<Channel, BadValue>,
    /// Go's own settings, for the module proxy channel.
    pub go: GoSettings,
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
            channel: match ctx.text(env_vars::GOV_SOURCE) {
                None => Ok(Channel::Dl),
                Some(value) => Channel::parse(value).ok_or_else(|| BadValue {
                    name: env_vars::GOV_SOURCE,
                    value: value.into(),
                    accepts: "`dl` (go.dev/dl and its mirrors) or `proxy` (Go's module proxy)"
                        .into(),
                }),
            },
            go: GoSettings::from_context(ctx),
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

/// Where releases come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// go.dev/dl: the release index and its archives (`GOV_INDEX_URL`,
    /// `GOV_DOWNLOAD_URL`), each checked against the index's sha256.
    Dl,
    /// Go's module proxy (`GOPROXY`): the `golang.org/toolchain` modules
    /// Go itself switches to, each proved by the checksum database.
    Proxy,
}

impl Channel {
    pub fn parse(text: &str) -> Option<Channel> {
        match text {
            "dl" => Some(Channel::Dl),
            "proxy" => Some(Channel::Proxy),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Channel::Dl => "dl",
            Channel::Proxy => "proxy",
        }
    }
}

/// Go's settings for the module proxy, as the `go` command reads them: the
/// environment first, then its settings file (`go env -w`, `GOENV`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSettings {
    /// Set in the environment (an empty value is unset).
    env: Vec<(&'static str, String)>,
    /// Go's settings file, read only when a value is asked for.
    file: Option<PathBuf>,
    /// `$NETRC`, else `~/.netrc`.
    pub netrc: Option<PathBuf>,
    home: Option<PathBuf>,
}

/// The variables of Go's that [`GoSettings`] answers for.
const GO_VARS: [&str; 6] = [
    env_vars::GOPROXY,
    env_vars::GOSUMDB,
    env_vars::GONOSUMDB,
    env_vars::GOPRIVATE,
    env_vars::GOMODCACHE,
    env_vars::GOPATH,
];

impl GoSettings {
    pub fn from_context(ctx: &Context) -> GoSettings {
        let home = ctx.var(env_vars::HOME).map(PathBuf::from);
        let file = match ctx.text(env_vars::GOENV) {
            Some("off") => None,
            Some(path) => Some(PathBuf::from(path)),
            None => ctx
                .var(env_vars::XDG_CONFIG_HOME)
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".config")))
                .map(|config| config.join("go").join("env")),
        };
        let env: Vec<_> = GO_VARS
            .iter()
            .filter_map(|name| Some((*name, ctx.text(name)?.to_string())))
            .collect();
        GoSettings {
            env,
            file,
            netrc: ctx
                .var(env_vars::NETRC)
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".netrc"))),
            home,
        }
    }

    /// Where Go keeps downloaded modules: `GOMODCACHE`, else the first
    /// `GOPATH` entry's `pkg/mod`, else `~/go/pkg/mod`.
    pub fn mod_cache(&self) -> Option<PathBuf> {
        if let Some(cache) = self.get(env_vars::GOMODCACHE) {
            return Some(PathBuf::from(cache));
        }
        let gopath = self.get(env_vars::GOPATH);
        let first = gopath
            .as_deref()
            .and_then(|p| p.split(':').find(|e| !e.is_empty()));
        match first {
            Some(dir) => Some(PathBuf::from(dir)),
            None => self.home.as_ref().map(|h| h.join("go")),
        }
        .map(|gopath| gopath.join("pkg").join("mod"))
    }

    /// Go's value of `name` (one of [`GO_VARS`]): the environment's, else
    /// the settings file's; `None` when neither sets it.
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some((_, value)) = self.env.iter().find(|(k, _)| *k == name) {
            return Some(value.clone());
        }
        let text = std::fs::read_to_string(self.file.as_ref()?).ok()?;
        go_env_file_value(&text, name)
    }

    /// `GOPROXY`, Go's default when unset.
    pub fn goproxy(&self) -> String {
        self.get(env_vars::GOPROXY)
            .unwrap_or_else(|| "https://proxy.golang.org,direct".into())
    }

    /// `GOSUMDB`, Go's default when unset.
    pub fn gosumdb(&self) -> String {
        self.get(env_vars::GOSUMDB)
            .unwrap_or_else(|| "sum.golang.org".into())
    }
}

/// The value of `name` in Go's settings file (`NAME=VALUE` lines; the
/// last one wins, as in Go); an empty value is unset.
fn go_env_file_value(text: &str, name: &str) -> Option<String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .rfind(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty())
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

    #[test]
    fn go_settings_as_go_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("go-env");
        std::fs::write(
            &file,
            "GOPROXY=https://corp.example/proxy\nGOSUMDB=off\nGOPRIVATE=\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let go = |vars: &[(&'static str, &str)]| {
            GoSettings::from_context(&Context::with_vars(PathBuf::from("/"), vars))
        };
        // The environment beats the file; an empty value is unset.
        let both = go(&[
            (env_vars::GOENV, file),
            (env_vars::GOSUMDB, "sum.golang.org"),
        ]);
        assert_eq!(both.goproxy(), "https://corp.example/proxy");
        assert_eq!(both.gosumdb(), "sum.golang.org");
        assert_eq!(both.get(env_vars::GOPRIVATE), None);
        // GOENV=off: Go's defaults.
        let off = go(&[(env_vars::GOENV, "off"), (env_vars::HOME, "/h")]);
        assert_eq!(off.goproxy(), "https://proxy.golang.org,direct");
        assert_eq!(off.gosumdb(), "sum.golang.org");
        assert_eq!(off.mod_cache(), Some(PathBuf::from("/h/go/pkg/mod")));
        assert_eq!(off.netrc, Some(PathBuf::from("/h/.netrc")));
        // The module cache: GOMODCACHE, else GOPATH's first entry.
        let gopath = go(&[(env_vars::GOENV, "off"), (env_vars::GOPATH, ":/a:/b")]);
        assert_eq!(gopath.mod_cache(), Some(PathBuf::from("/a/pkg/mod")));
        let cache = go(&[(env_vars::GOENV, "off"), (env_vars::GOMODCACHE, "/m")]);
        assert_eq!(cache.mod_cache(), Some(PathBuf::from("/m")));
        // The default file is under XDG_CONFIG_HOME, else ~/.config.
        let xdg = go(&[(env_vars::XDG_CONFIG_HOME, "/x"), (env_vars::HOME, "/h")]);
        assert_eq!(xdg.file, Some(PathBuf::from("/x/go/env")));
        let home = go(&[(env_vars::HOME, "/h")]);
        assert_eq!(home.file, Some(PathBuf::from("/h/.config/go/env")));
    }

    #[test]
    fn channels() {
        let sources = |value| {
            Sources::from_context(&Context::with_vars(
                PathBuf::from("/"),
                &[(env_vars::GOV_SOURCE, value)],
            ))
            .channel
        };
        assert_eq!(sources("proxy"), Ok(Channel::Proxy));
        assert_eq!(sources("dl"), Ok(Channel::Dl));
        assert_eq!(
            sources("goproxy").unwrap_err().to_string(),
            "GOV_SOURCE is `goproxy`, but it takes `dl` (go.dev/dl and its mirrors) or `proxy` (Go's module proxy)"
        );
    }
}
