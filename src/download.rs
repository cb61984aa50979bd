//! Fetching bytes: over HTTP(S) with timeouts, proxies and retries, or from
//! `file://` URLs and plain directories (air-gapped mirrors). Every
//! transfer is bounded three ways: a stall timeout, a total deadline and a
//! number of bytes. [`Fetcher::fetch_verified`] is the one way an archive
//! is brought in: streamed once through the hasher, then checked against
//! its digest after the stream is drained.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use url::Url;

use crate::context::BadValue;
use crate::env_vars;
use crate::fsx;
use crate::netrc::{Credentials, Netrc};
use crate::sources::{Location, Patience, Sources};
use crate::ui;

/// Attempts for one request: the first and three retries.
const ATTEMPTS: u32 = 4;

/// The most gov downloads of one archive, whatever the index declares
/// (go.dev's are under 100 MB).
pub const MAX_ARCHIVE: u64 = 1 << 30;

/// The most bytes an archive whose index entry declares `declared` bytes
/// (`0`: unknown) may bring: the declared size, at most [`MAX_ARCHIVE`].
pub fn archive_limit(declared: u64) -> u64 {
    match declared {
        0 => MAX_ARCHIVE,
        n => n.min(MAX_ARCHIVE),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("`{url}` answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("cannot download `{url}`")]
    Transport {
        url: String,
        #[source]
        source: Box<ureq::Transport>,
    },
    #[error("cannot read `{url}`")]
    Read {
        url: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot read `{}`", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A pipe or a device where a file should be: opening it could block
    /// forever or never end.
    #[error("`{}` is {kind}, not a file: gov does not read it", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    /// Writing what was downloaded failed: never worth a retry.
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("GOV_OFFLINE is set: not downloading `{url}`")]
    Offline { url: String },
    #[error("`{url}` sends more than the {limit} bytes gov accepts from it")]
    TooLarge { url: String, limit: u64 },
    #[error("`{url}` was not done within the {} s a download may take", deadline.as_secs_f64())]
    Deadline {
        url: String,
        deadline: Duration,
        #[source]
        last: Option<Box<DownloadError>>,
    },
    #[error(transparent)]
    Setting(BadValue),
    #[error("gave up on `{url}` after {attempts} attempts in {:.1} s", elapsed.as_secs_f64())]
    GaveUp {
        url: String,
        attempts: u32,
        elapsed: Duration,
        budget: Duration,
        #[source]
        last: Box<DownloadError>,
    },
}

impl DownloadError {
    /// Worth another try: server errors, throttling, resets, timeouts; not
    /// a full disk, a refusal or a deadline.
    pub fn is_transient(&self) -> bool {
        match self {
            DownloadError::Status { status, .. } => *status >= 500 || *status == 429,
            // A URL or proxy gov cannot use fails the same way every time.
            DownloadError::Transport { source, .. } => !matches!(
                source.kind(),
                ureq::ErrorKind::InvalidUrl
                    | ureq::ErrorKind::UnknownScheme
                    | ureq::ErrorKind::InsecureRequestHttpsOnly
                    | ureq::ErrorKind::TooManyRedirects
                    | ureq::ErrorKind::InvalidProxyUrl
                    | ureq::ErrorKind::ProxyUnauthorized
            ),
            DownloadError::Read { source, .. } => !matches!(
                source.kind(),
                io::ErrorKind::StorageFull
                    | io::ErrorKind::QuotaExceeded
                    | io::ErrorKind::ReadOnlyFilesystem
                    | io::ErrorKind::PermissionDenied
                    | io::ErrorKind::FileTooLarge
            ),
            DownloadError::File { .. }
            | DownloadError::NotAFile { .. }
            | DownloadError::Write { .. }
            | DownloadError::Offline { .. }
            | DownloadError::TooLarge { .. }
            | DownloadError::Deadline { .. }
            | DownloadError::Setting(_)
            | DownloadError::GaveUp { .. } => false,
        }
    }

    /// The URL (or file) the error is about.
    pub fn url(&self) -> String {
        match self {
            DownloadError::Status { url, .. }
            | DownloadError::Transport { url, .. }
            | DownloadError::Read { url, .. }
            | DownloadError::Offline { url }
            | DownloadError::TooLarge { url, .. }
            | DownloadError::Deadline { url, .. }
            | DownloadError::GaveUp { url, .. } => url.clone(),
            DownloadError::File { path, .. }
            | DownloadError::NotAFile { path, .. }
            | DownloadError::Write { path, .. } => path.display().to_string(),
            DownloadError::Setting(bad) => bad.name.to_string(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        match self {
            DownloadError::GaveUp { last, .. } => last.is_not_found(),
            DownloadError::Status { status, .. } => *status == 404 || *status == 410,
            DownloadError::File { source, .. } => source.kind() == io::ErrorKind::NotFound,
            _ => false,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            DownloadError::Offline { .. } => {
                Some(format!("unset {} to download", env_vars::GOV_OFFLINE))
            }
            DownloadError::Status { status: 404, .. } => {
                Some("run `gov list-remote --all` to see what the mirror has".into())
            }
            DownloadError::GaveUp { last, .. } if last.is_not_found() => last.hint(),
            DownloadError::GaveUp { budget, .. } => Some(format!(
                "check the network and the mirror ({}, {}); set {}=1 to use what is cached; or give a slow mirror more time with {} (now {} s)",
                env_vars::GOV_INDEX_URL,
                env_vars::GOV_DOWNLOAD_URL,
                env_vars::GOV_OFFLINE,
                env_vars::GOV_HTTP_TIMEOUT,
                budget.as_secs_f64()
            )),
            DownloadError::TooLarge { .. } => Some(format!(
                "check that {} and {} name a Go release mirror",
                env_vars::GOV_INDEX_URL,
                env_vars::GOV_DOWNLOAD_URL
            )),
            DownloadError::Deadline { deadline, .. } => Some(format!(
                "on a slow link, give downloads more time with {} (now {} s), or use a nearer mirror ({})",
                env_vars::GOV_DOWNLOAD_DEADLINE,
                deadline.as_secs_f64(),
                env_vars::GOV_DOWNLOAD_URL
            )),
            DownloadError::Setting(bad) => Some(format!(
                "unset {} to use its default, or give it a value it takes",
                bad.name
            )),
            DownloadError::NotAFile { path, .. } => Some(format!(
                "remove `{}` (`rm` it) or put the file itself there",
                path.display()
            )),
            DownloadError::Write { source, .. } => fsx::io_hint(source),
            _ => Some(format!(
                "check the network, {} and {}, or set HTTPS_PROXY",
                env_vars::GOV_INDEX_URL,
                env_vars::GOV_DOWNLOAD_URL
            )),
        }
    }
}

/// A failed read of `url`, whose transfer was capped at `limit` bytes:
/// the cap is a refusal, not a break worth a retry.
pub fn read_failed(url: &str, limit: u64, source: io::Error) -> DownloadError {
    if source.kind() == io::ErrorKind::FileTooLarge {
        return DownloadError::TooLarge {
            url: url.into(),
            limit,
        };
    }
    DownloadError::Read {
        url: url.into(),
        source,
    }
}

/// The digest of what came is not the one expected: nothing of it is kept.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The file's name, as the index lists it.
    pub file: String,
    pub url: String,
    pub expected: String,
    pub actual: String,
}

/// Why a verified fetch brought nothing usable.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error("`{}` from `{}` has sha256 {}, not the expected {}", .0.file, .0.url, .0.actual, .0.expected)]
    Mismatch(Mismatch),
}

/// What a verified fetch must bring.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The file's name, as the index lists it: for messages.
    pub file: &'a str,
    pub url: &'a str,
    /// Its sha256 in lowercase hex; `None` only when the user chose to
    /// install without one (`--skip-checksum`).
    pub sha256: Option<&'a str>,
    /// What the index declares (`0`: unknown): the most bytes accepted
    /// (at most [`MAX_ARCHIVE`]), and the length of the progress bar when
    /// the server does not say.
    pub size: u64,
}

/// What a verified fetch brought: what its consumer made of the bytes,
/// and their digest and number.
#[derive(Debug)]
pub struct Fetched<T> {
    pub value: T,
    pub sha256: String,
    pub size: u64,
}

/// Why the consumer of a verified fetch stopped before the end.
#[derive(Debug)]
pub enum Stop<E> {
    /// Reading the download broke: retried when the break is transient.
    Read(io::Error),
    /// Writing what came failed (a full disk): never retried.
    Write { path: PathBuf, source: io::Error },
    /// What came is refused (a hostile archive): not retried, and
    /// returned as it is, without a digest check.
    Refused(E),
}

impl<E> Stop<E> {
    pub fn write(path: &Path, source: io::Error) -> Stop<E> {
        Stop::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Copies all of `reader` into `file` (at `path`, for messages), telling a
/// broken download from a failed write.
pub fn write_all<E>(
    reader: &mut dyn Read,
    file: &mut impl Write,
    path: &Path,
) -> Result<(), Stop<E>> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(Stop::Read)?;
        if n == 0 {
            return Ok(());
        }
        file.write_all(&buf[..n])
            .map_err(|source| Stop::write(path, source))?;
    }
}

/// A reader that hashes and counts every byte it passes on.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// When one transfer, all its attempts together, must be done.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    after: Duration,
}

impl Deadline {
    fn starting_now(after: Duration) -> Deadline {
        let now = Instant::now();
        // `after` is at most a week (its variable's range): no overflow.
        let at = now.checked_add(after).unwrap_or(now);
        Deadline { at, after }
    }

    fn passed(&self) -> bool {
        Instant::now() >= self.at
    }
}

/// A reader that fails once it brought more than `left` bytes or ran past
/// its deadline, however steadily bytes come.
struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
    deadline: Deadline,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.deadline.passed() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "still sending after {} s",
                    self.deadline.after.as_secs_f64()
                ),
            ));
        }
        // Room for one byte more than allowed, to tell a stream that ends
        // at the cap from one that goes on.
        let room = buf
            .len()
            .min(usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        if n as u64 > self.left {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("more than {} bytes", self.limit),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// A stream of a download and its length when known.
pub struct Download {
    pub reader: Box<dyn Read + Send>,
    pub length: Option<u64>,
}

pub struct Fetcher {
    /// Honours `HTTPS_PROXY`, `HTTP_PROXY` and `ALL_PROXY`.
    proxied: ureq::Agent,
    /// For the hosts `NO_PROXY` names.
    direct: ureq::Agent,
    /// Timeouts, back-off and deadline, or the variable that set one out
    /// of range: then every transfer fails with it.
    patience: Result<Patience, BadValue>,
    offline: bool,
    no_proxy: String,
    /// Logins for private proxies, sent only over https
    /// ([`credentials_for`]).
    netrc: Netrc,
}

impl Fetcher {
    /// Per [`Sources`]: offline, timeout, back-off, deadline, proxies (the
    /// client reads `HTTPS_PROXY`, `HTTP_PROXY` and `ALL_PROXY`) and
    /// `NO_PROXY`.
    pub fn new(sources: &Sources) -> Fetcher {
        // GOV_HTTP_TIMEOUT bounds a stalled transfer in all, retries and
        // back-off included: each attempt waits a fifth of it for a byte.
        let budget = sources
            .transfers
            .as_ref()
            .map_or(crate::sources::HTTP_TIMEOUT.1, |p| p.timeout);
        let timeout = (budget / 5).max(Duration::from_millis(100));
        let builder = || {
            ureq::AgentBuilder::new()
                .timeout_connect(timeout.min(Duration::from_secs(15)))
                .timeout_read(timeout)
                .user_agent(concat!("gov/", env!("CARGO_PKG_VERSION")))
                // Credentials follow a redirect only to the same host,
                // never from https down to http (as Go's client).
                .redirect_auth_headers(ureq::RedirectAuthHeaders::SameHost)
        };
        Fetcher {
            proxied: builder().try_proxy_from_env(true).build(),
            direct: builder().build(),
            patience: sources.transfers.clone(),
            offline: sources.offline,
            no_proxy: sources.no_proxy.clone(),
            netrc: Netrc::default(),
        }
    }

    /// Sends the logins of `netrc` (HTTP Basic) to the https hosts it
    /// names, as Go does for private module proxies.
    pub fn with_netrc(mut self, netrc: Netrc) -> Fetcher {
        self.netrc = netrc;
        self
    }

    fn patience(&self) -> Result<&Patience, DownloadError> {
        self.patience
            .as_ref()
            .map_err(|bad| DownloadError::Setting(bad.clone()))
    }

    /// Opens `url` (http, https, file:// or a plain path), once: a caller
    /// wraps the whole transfer in [`Fetcher::retrying`], which gives the
    /// deadline, since a stream can also break after it opened. The
    /// stream fails past `limit` bytes and past the deadline.
    pub fn open(
        &self,
        url: &str,
        limit: u64,
        deadline: Deadline,
    ) -> Result<Download, DownloadError> {
        self.patience()?;
        let download = if let Location::Local(path) = Location::parse(url) {
            open_local(path)?
        } else if self.offline {
            return Err(DownloadError::Offline { url: url.into() });
        } else {
            self.open_http(url)?
        };
        if download.length.is_some_and(|n| n > limit) {
            return Err(DownloadError::TooLarge {
                url: url.into(),
                limit,
            });
        }
        Ok(Download {
            reader: Box::new(Capped {
                inner: download.reader,
                left: limit,
                limit,
                deadline,
            }),
            length: download.length,
        })
    }

    /// Brings `expected.url` once through the hasher into `consume`
    /// (unpacking, or writing into a file with [`write_all`]), reads what
    /// `consume` left so that the digest covers every byte, then checks
    /// the digest. The whole is retried as one transfer, `consume` called
    /// afresh on each attempt; `progress` shows each attempt's bar.
    pub fn fetch_verified<T, E: From<VerifyError>>(
        &self,
        expected: &Expected,
        progress: &ui::Task,
        mut consume: impl FnMut(&mut dyn Read) -> Result<T, Stop<E>>,
    ) -> Result<Fetched<T>, E> {
        let url = expected.url;
        // The archive may bring what the index declares, at most
        // MAX_ARCHIVE: a server that goes on after it is cut off, not
        // read to the end.
        let limit = archive_limit(expected.size);
        let declared = (expected.size > 0).then_some(expected.size);
        let outcome = self
            .retrying(|deadline| {
                let download = self.open(url, limit, deadline)?;
                // The bar goes away with this attempt, however it ends: a
                // finished or failed download leaves no stale line.
                let bar = progress.bar(download.length.or(declared));
                let mut hashing = Hashing {
                    inner: bar.wrap(download.reader),
                    hasher: Sha256::new(),
                    bytes: 0,
                };
                let value = match consume(&mut hashing) {
                    Ok(value) => value,
                    Err(Stop::Read(e)) => return Err(read_failed(url, limit, e)),
                    Err(Stop::Write { path, source }) => {
                        return Err(DownloadError::Write { path, source })
                    }
                    Err(Stop::Refused(e)) => return Ok(Err(e)),
                };
                // The digest covers every byte, also those after the end
                // of what `consume` read (a tar's padding).
                io::copy(&mut hashing, &mut io::sink()).map_err(|e| read_failed(url, limit, e))?;
                Ok(Ok(Fetched {
                    value,
                    sha256: format!("{:x}", hashing.hasher.finalize()),
                    size: hashing.bytes,
                }))
            })
            .map_err(|e| E::from(VerifyError::Download(e)))?;
        let fetched = outcome?;
        if let Some(expected_sha) = expected.sha256 {
            if !fetched.sha256.eq_ignore_ascii_case(expected_sha) {
                return Err(E::from(VerifyError::Mismatch(Mismatch {
                    file: expected.file.to_string(),
                    url: url.to_string(),
                    expected: expected_sha.to_string(),
                    actual: fetched.sha256,
                })));
            }
        }
        Ok(fetched)
    }

    /// The file `name` at `url` into `consume` as [`Fetcher::fetch_verified`]
    /// brings it, with no digest to expect: for what is checked another way
    /// (a toolchain module, by its `h1:`). Returns what came, its sha256
    /// and size.
    pub fn fetch_unverified<T>(
        &self,
        name: &str,
        url: &str,
        progress: &ui::Task,
        consume: impl FnMut(&mut dyn Read) -> Result<T, Stop<VerifyError>>,
    ) -> Result<Fetched<T>, DownloadError> {
        let wanted = Expected {
            file: name,
            url,
            sha256: None,
            size: 0,
        };
        match self.fetch_verified(&wanted, progress, consume) {
            Ok(fetched) => Ok(fetched),
            Err(VerifyError::Download(e)) => Err(e),
            Err(VerifyError::Mismatch(_)) => unreachable!("no digest was expected"),
        }
    }

    /// The whole body of `url`, which must not be longer than `limit`:
    /// a server that sends more is refused, not read to the end.
    pub fn get(&self, url: &str, limit: u64) -> Result<Vec<u8>, DownloadError> {
        self.retrying(|deadline| {
            let mut body = Vec::new();
            self.open(url, limit, deadline)?
                .reader
                .read_to_end(&mut body)
                .map_err(|source| read_failed(url, limit, source))?;
            Ok(body)
        })
    }

    /// Runs `attempt` until it succeeds, fails for good, runs out of tries
    /// or out of time: every attempt gets the one deadline of the transfer.
    pub fn retrying<T>(
        &self,
        mut attempt: impl FnMut(Deadline) -> Result<T, DownloadError>,
    ) -> Result<T, DownloadError> {
        let patience = *self.patience()?;
        let deadline = Deadline::starting_now(patience.deadline);
        let first = Instant::now();
        // The budget is for failing, not for downloading: an attempt that
        // ran well past one idle timeout was receiving data, so a break
        // after it starts the budget afresh.
        let mut start = first;
        let budget = patience.timeout;
        let idle = budget / 5;
        let mut delay = patience.retry_delay;
        for n in 1.. {
            let began = Instant::now();
            let result = attempt(deadline);
            if began.elapsed() > 2 * idle {
                start = Instant::now();
            }
            match result {
                Err(e) if e.is_transient() && Instant::now() + delay >= deadline.at => {
                    return Err(DownloadError::Deadline {
                        url: e.url(),
                        deadline: patience.deadline,
                        last: Some(Box::new(e)),
                    })
                }
                Err(e) if e.is_transient() && n < ATTEMPTS && start.elapsed() + delay < budget => {
                    let cause = std::error::Error::source(&e)
                        .map_or_else(String::new, |s| format!(" ({s})"));
                    crate::ui::warn(&format!(
                        "{e}{cause}; retrying in {:.1} s (attempt {} of {ATTEMPTS})",
                        delay.as_secs_f64(),
                        n + 1
                    ));
                    std::thread::sleep(delay);
                    // At most ten minutes doubled three times: no overflow.
                    delay = delay.saturating_mul(2);
                }
                Err(e) if n > 1 => {
                    return Err(DownloadError::GaveUp {
                        url: e.url(),
                        attempts: n,
                        elapsed: first.elapsed(),
                        budget,
                        last: Box::new(e),
                    })
                }
                other => return other,
            }
        }
        unreachable!("the loop returns")
    }

    fn open_http(&self, url: &str) -> Result<Download, DownloadError> {
        match self.request(url).call() {
            Ok(response) => {
                let length = response
                    .header("Content-Length")
                    .and_then(|l| l.parse().ok());
                Ok(Download {
                    reader: Box::new(response.into_reader()),
                    length,
                })
            }
            Err(ureq::Error::Status(status, _)) => Err(DownloadError::Status {
                url: url.into(),
                status,
            }),
            Err(ureq::Error::Transport(t)) => Err(DownloadError::Transport {
                url: url.into(),
                source: Box::new(t),
            }),
        }
    }

    /// The GET request for `url`, with the netrc login when one goes there.
    fn request(&self, url: &str) -> ureq::Request {
        let request = self.agent_for(url).get(url);
        match credentials_for(&self.netrc, url) {
            Some(credentials) => request.set("Authorization", &basic_auth(credentials)),
            None => request,
        }
    }

    /// The agent for `url`: direct for the hosts `NO_PROXY` names.
    fn agent_for(&self, url: &str) -> &ureq::Agent {
        if bypasses_proxy(url, &self.no_proxy) {
            &self.direct
        } else {
            &self.proxied
        }
    }
}

/// A local file, opened only when it is a regular one: a named pipe or a
/// device planted at an archive's name in a shared directory would block
/// or never end.
fn open_local(path: PathBuf) -> Result<Download, DownloadError> {
    let file = match fsx::open_regular(&path) {
        Ok(Ok(file)) => file,
        Ok(Err(fsx::Found::NotAFile(kind))) => return Err(DownloadError::NotAFile { path, kind }),
        Ok(Err(_)) => {
            return Err(DownloadError::File {
                path,
                source: io::ErrorKind::NotFound.into(),
            })
        }
        Err(source) => return Err(DownloadError::File { path, source }),
    };
    let length = file.metadata().ok().map(|m| m.len());
    Ok(Download {
        reader: Box::new(file),
        length,
    })
}

/// The file `name` in the directory `base` (a URL, `file://` URL or
/// path), whatever `base` ends with; a URL's query stays its query.
pub fn join(base: &str, name: &str) -> String {
    match Url::parse(base) {
        Ok(mut url) if Location::is_url(&url) => {
            // A URL with an authority always has a path to push onto.
            if let Ok(mut path) = url.path_segments_mut() {
                path.pop_if_empty().push(name);
            }
            url.into()
        }
        _ => format!("{}/{name}", base.trim_end_matches('/')),
    }
}

/// The netrc login to send with a request for `url`: only over https, to
/// the host the entry names (`host:port` first when the URL has a port,
/// then `host`), and never when the URL carries its own user and password.
pub fn credentials_for<'a>(netrc: &'a Netrc, url: &str) -> Option<&'a Credentials> {
    let url = Url::parse(url).ok()?;
    if url.scheme() != "https" || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let host = url.host_str()?;
    url.port()
        .and_then(|port| netrc.credentials_for(&format!("{host}:{port}")))
        .or_else(|| netrc.credentials_for(host))
}

/// The `Authorization` header for `credentials`.
fn basic_auth(credentials: &Credentials) -> String {
    use base64::Engine;
    let pair = format!("{}:{}", credentials.login, credentials.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Does `NO_PROXY` (comma-separated hosts, domain suffixes or `*`) cover
/// the host of `url`?
pub fn bypasses_proxy(url: &str, no_proxy: &str) -> bool {
    let host = match Url::parse(url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        // Without the brackets of a URL: `::1`, as NO_PROXY writes it.
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        Some(host) => host.to_string(),
        None => return false,
    };
    no_proxy.split(',').map(str::trim).any(|entry| {
        let entry = entry.trim_start_matches('.');
        !entry.is_empty()
            && (entry == "*"
                || host.eq_ignore_ascii_case(entry)
                || host
                    .to_ascii_lowercase()
                    .ends_with(&format!(".{}", entry.to_ascii_lowercase())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matching() {
        assert!(bypasses_proxy(
            "http://127.0.0.1:8080/x",
            "localhost,127.0.0.1"
        ));
        assert!(bypasses_proxy("https://dl.google.com/go/x", ".google.com"));
        assert!(bypasses_proxy("https://dl.google.com/go/x", "*"));
        assert!(bypasses_proxy("http://[::1]:80/", "::1"));
        assert!(!bypasses_proxy("https://go.dev/dl/", "google.com"));
        assert!(!bypasses_proxy("https://notgo.dev/", "go.dev"));
        assert!(!bypasses_proxy("https://go.dev/", ""));
    }

    #[test]
    fn netrc_logins_go_to_https_hosts_only() {
        let netrc = Netrc::parse(
            "machine proxy.example login u password p\n\
             machine other.example:8443 login w password r\n\
             machine 127.0.0.1 login local password secret\n",
        );
        let login = |url| credentials_for(&netrc, url).map(|c| c.login.as_str());
        for (url, want) in [
            (
                "https://proxy.example/golang.org/toolchain/@v/list",
                Some("u"),
            ),
            ("https://PROXY.EXAMPLE/x", Some("u")),
            ("https://proxy.example:443/x", Some("u")),
            // A port the netrc does not name: the host's entry.
            ("https://proxy.example:8443/x", Some("u")),
            ("https://other.example:8443/x", Some("w")),
            ("https://other.example/x", None),
            // Never over http, nor to file:// or paths.
            ("http://proxy.example/x", None),
            ("http://127.0.0.1:8080/x", None),
            ("file:///srv/proxy.example/x", None),
            ("/srv/proxy.example", None),
            // Another host, or one that merely ends alike.
            ("https://evil.example/proxy.example", None),
            ("https://proxy.example.evil.example/x", None),
            ("https://xproxy.example/x", None),
            // The URL's own user wins.
            ("https://me@proxy.example/x", None),
            ("https://me:pw@proxy.example/x", None),
            ("not a url", None),
        ] {
            assert_eq!(login(url), want, "{url}");
        }
        let header = basic_auth(credentials_for(&netrc, "https://proxy.example/").unwrap());
        assert_eq!(header, "Basic dTpw");

        // What the fetcher puts on its requests.
        let ctx = crate::context::Context::with_vars(PathBuf::from("/"), &[]);
        let fetcher = Fetcher::new(&crate::sources::Sources::from_context(&ctx)).with_netrc(netrc);
        let sent = |url| {
            fetcher
                .request(url)
                .header("Authorization")
                .map(str::to_string)
        };
        assert_eq!(
            sent("https://proxy.example/x").as_deref(),
            Some("Basic dTpw")
        );
        assert_eq!(sent("http://proxy.example/x"), None);
        assert_eq!(sent("https://other.example/x"), None);
    }

    /// A server on loopback that answers one request with `200 ok` and
    /// hands back the request's header lines.
    fn one_request_server() -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::BufRead;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/golang.org/toolchain/@v/list",
            listener.local_addr().unwrap()
        );
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = io::BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                    break;
                }
                headers.push(line.trim().to_string());
            }
            let mut stream = stream;
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                .unwrap();
            headers
        });
        (url, server)
    }

    #[test]
    fn no_credentials_over_http() {
        use crate::context::Context;
        let (url, server) = one_request_server();
        let ctx = Context::with_vars(PathBuf::from("/"), &[(env_vars::NO_PROXY, "*")]);
        let netrc = Netrc::parse("machine 127.0.0.1 login local password secret\n");
        let fetcher = Fetcher::new(&crate::sources::Sources::from_context(&ctx)).with_netrc(netrc);
        assert_eq!(fetcher.get(&url, 100).unwrap(), b"ok");
        let headers = server.join().unwrap();
        assert!(
            headers[0].starts_with("GET /golang.org/toolchain/@v/list"),
            "{headers:?}"
        );
        let authorization = |headers: &[String]| {
            headers
                .iter()
                .any(|h| h.to_ascii_lowercase().starts_with("authorization"))
        };
        assert!(!authorization(&headers), "{headers:?}");
        // The server does see the header when one is sent: a URL's own
        // user and password (the user's choice, even over http).
        let (url, server) = one_request_server();
        let url = url.replace("http://", "http://me:pw@");
        assert_eq!(fetcher.get(&url, 100).unwrap(), b"ok");
        assert!(authorization(&server.join().unwrap()));
    }

    #[test]
    fn urls() {
        assert_eq!(
            join("https://dl.google.com/go/", "a.tgz"),
            "https://dl.google.com/go/a.tgz"
        );
        assert_eq!(
            join("https://dl.google.com/go", "a.tgz"),
            "https://dl.google.com/go/a.tgz"
        );
        assert_eq!(
            join("http://127.0.0.1:8080", "a.tgz"),
            "http://127.0.0.1:8080/a.tgz"
        );
        assert_eq!(
            join("https://m.example/go/?token=x", "a.tgz"),
            "https://m.example/go/a.tgz?token=x"
        );
        assert_eq!(join("/srv/mirror", "a.tgz"), "/srv/mirror/a.tgz");
        assert_eq!(join("/srv/mirror/", "a.tgz"), "/srv/mirror/a.tgz");
        assert_eq!(
            join("file:///srv/my%20m/", "a.tgz"),
            "file:///srv/my%20m/a.tgz"
        );
    }

    /// Reads `reader` to its end in pieces of `chunk` bytes.
    fn drain(mut reader: impl Read, chunk: usize) -> io::Result<usize> {
        let mut buf = vec![0u8; chunk];
        let mut total = 0;
        loop {
            match reader.read(&mut buf)? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    #[test]
    fn a_capped_stream_stops_at_its_deadline() {
        let mut endless = Capped {
            inner: io::repeat(0),
            left: u64::MAX,
            limit: u64::MAX,
            deadline: Deadline::starting_now(Duration::from_millis(50)),
        };
        let err = drain(&mut endless, 4096).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    proptest::proptest! {
        #[test]
        fn prop_a_capped_stream_brings_at_most_its_limit(len in 0usize..5000, limit in 0u64..5000, chunk in 1usize..700) {
            let capped = Capped {
                inner: io::Cursor::new(vec![7u8; len]),
                left: limit,
                limit,
                deadline: Deadline::starting_now(Duration::from_secs(60)),
            };
            match drain(capped, chunk) {
                Ok(n) => proptest::prop_assert!(n == len && len as u64 <= limit),
                Err(e) => {
                    proptest::prop_assert!(len as u64 > limit);
                    let refused = read_failed("u", limit, e);
                    let too_large = matches!(refused, DownloadError::TooLarge { .. });
                    proptest::prop_assert!(too_large);
                    proptest::prop_assert!(!refused.is_transient());
                }
            }
        }

        #[test]
        fn prop_any_declared_size_gives_a_limit_in_range(declared in proptest::prelude::any::<u64>()) {
            let limit = archive_limit(declared);
            proptest::prop_assert!(limit > 0 && limit <= MAX_ARCHIVE);
            proptest::prop_assert!(declared == 0 || limit == declared.min(MAX_ARCHIVE));
        }
    }

    /// What a consumer of a verified fetch in these tests can fail with.
    #[derive(Debug)]
    enum Test {
        Verify(VerifyError),
        Refused,
    }

    impl From<VerifyError> for Test {
        fn from(e: VerifyError) -> Test {
            Test::Verify(e)
        }
    }

    #[test]
    fn a_verified_fetch_hashes_every_byte_and_checks_after_the_end() {
        use crate::context::Context;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.tar.gz");
        let body = b"archive bytes, then padding no consumer reads".to_vec();
        std::fs::write(&path, &body).unwrap();
        let digest = format!("{:x}", Sha256::digest(&body));
        let url = path.to_str().unwrap();
        let ctx = Context::with_vars(PathBuf::from("/"), &[]);
        let fetcher = Fetcher::new(&crate::sources::Sources::from_context(&ctx));
        let task = ui::Progress::hidden().task("a");
        let expected = |sha256| Expected {
            file: "a.tar.gz",
            url,
            sha256,
            size: 0,
        };
        // A consumer that reads a little: the digest still covers it all.
        let first_bytes = |r: &mut dyn Read| -> Result<Vec<u8>, Stop<Test>> {
            let mut head = vec![0; 7];
            r.read_exact(&mut head).map_err(Stop::Read)?;
            Ok(head)
        };
        let fetched = fetcher
            .fetch_verified(&expected(Some(&digest)), &task, first_bytes)
            .unwrap();
        assert_eq!(fetched.value, b"archive");
        assert_eq!(
            (fetched.sha256.as_str(), fetched.size),
            (digest.as_str(), body.len() as u64)
        );

        let other = "0".repeat(64);
        match fetcher.fetch_verified(&expected(Some(&other)), &task, first_bytes) {
            Err(Test::Verify(VerifyError::Mismatch(m))) => {
                assert_eq!((m.expected, m.actual), (other.clone(), digest.clone()))
            }
            other => panic!("{other:?}"),
        }
        // Unchecked only when asked: the digest is still reported.
        let fetched = fetcher
            .fetch_verified(&expected(None), &task, first_bytes)
            .unwrap();
        assert_eq!(fetched.sha256, digest);

        // A refusal and a failed write are final: one attempt, no check.
        let mut calls = 0;
        let refused =
            fetcher.fetch_verified(&expected(Some(&other)), &task, |_| -> Result<(), _> {
                calls += 1;
                Err(Stop::Refused(Test::Refused))
            });
        assert!(matches!(refused, Err(Test::Refused)));
        let full = fetcher.fetch_verified(&expected(Some(&digest)), &task, |_| -> Result<(), _> {
            calls += 1;
            Err(Stop::<Test>::write(
                &path,
                io::ErrorKind::StorageFull.into(),
            ))
        });
        assert!(matches!(
            full,
            Err(Test::Verify(VerifyError::Download(
                DownloadError::Write { .. }
            )))
        ));
        assert_eq!(calls, 2);

        // Into a file, as a mirror keeps it.
        let copy = dir.path().join("copy");
        let fetched = fetcher
            .fetch_verified(&expected(Some(&digest)), &task, |r| {
                let mut file = std::fs::File::create(&copy).map_err(|e| Stop::write(&copy, e))?;
                write_all::<Test>(r, &mut file, &copy)
            })
            .unwrap();
        assert_eq!(fetched.sha256, digest);
        assert_eq!(std::fs::read(&copy).unwrap(), body);
    }

    #[test]
    fn a_break_after_a_long_good_transfer_is_retried() {
        use crate::context::Context;
        use crate::env_vars;
        let ctx = Context::with_vars(
            std::path::PathBuf::from("/"),
            &[
                (env_vars::GOV_HTTP_TIMEOUT, "2"),
                (env_vars::GOV_RETRY_DELAY_MS, "0"),
            ],
        );
        let fetcher = Fetcher::new(&crate::sources::Sources::from_context(&ctx));
        let mut attempts = 0;
        let broken = || DownloadError::Status {
            url: "u".into(),
            status: 503,
        };
        // Budget 2 s, idle timeout 0.4 s: each attempt receives data for
        // 0.9 s (past two idle timeouts), then breaks.
        let out: Result<(), _> = fetcher.retrying(|_| {
            attempts += 1;
            std::thread::sleep(Duration::from_millis(900));
            Err(broken())
        });
        assert!(out.is_err());
        assert_eq!(attempts, ATTEMPTS, "every break after progress is retried");
        // Failures without progress stop at the budget as before.
        let mut quick = 0;
        let _ = fetcher.retrying(|_| -> Result<(), _> {
            quick += 1;
            std::thread::sleep(Duration::from_millis(700));
            Err(broken())
        });
        assert!(quick < ATTEMPTS, "{quick}");
    }
}
