//! `gov install [REQUEST...]`: download, verify, unpack and register.

use crate::commands::parse_request;
use crate::download::Fetcher;
use crate::error::{self, Error};
use crate::index::{self, Index, Release};
use crate::install::{self, Outcome};
use crate::request::Request;
use crate::resolve;
use crate::settings::{Network, Settings};
use crate::store::Store;

pub struct Args<'a> {
    pub requests: &'a [String],
    pub os: Option<&'a str>,
    pub arch: Option<&'a str>,
    pub skip_checksum: bool,
    pub refresh: bool,
}

pub fn run(settings: &Settings, args: &Args) -> Result<(), Error> {
    let requests = if args.requests.is_empty() {
        // The release the current directory selects.
        vec![resolve::select(None, &settings.ctx, &settings.store)?.request]
    } else {
        args.requests
            .iter()
            .map(|r| parse_request(r))
            .collect::<Result<Vec<_>, _>>()?
    };
    let (host_os, host_arch) = index::host_platform();
    let job = Job {
        store: &settings.store,
        network: &settings.network,
        os: args.os.unwrap_or(host_os),
        arch: args.arch.unwrap_or(host_arch),
        skip_checksum: args.skip_checksum,
        refresh: args.refresh,
        progress: settings.progress(),
    };
    job.run(&requests, &|line| settings.say(line))
}

/// Installs what `request` names for this machine: for `GOV_AUTO_INSTALL`.
pub fn auto_install(store: &Store, request: &Request) -> Result<(), Error> {
    let (os, arch) = index::host_platform();
    let job = Job {
        store,
        network: &Network::from_env(),
        os,
        arch,
        skip_checksum: false,
        refresh: false,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    job.run(std::slice::from_ref(request), &|line| {
        eprintln!("gov: {line}")
    })
}

struct Job<'a> {
    store: &'a Store,
    network: &'a Network,
    os: &'a str,
    arch: &'a str,
    skip_checksum: bool,
    refresh: bool,
    progress: bool,
}

impl Job<'_> {
    fn is_host(&self) -> bool {
        (self.os, self.arch) == index::host_platform()
    }

    fn run(&self, requests: &[Request], say: &dyn Fn(&str)) -> Result<(), Error> {
        // An exact release already here needs no index (and no network).
        let mut pending = Vec::new();
        for request in requests {
            let here = match request {
                Request::Exact(v) if self.is_host() => self.store.find(v)?,
                _ => None,
            };
            match here {
                Some(i) => say(&format!("Go {} is already installed", i.version)),
                None => pending.push(request.clone()),
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        let fetcher = Fetcher::from_env(self.network.offline);
        let releases = self.pick(&pending, &fetcher)?;
        let dest_dir = if self.is_host() {
            self.store.versions_dir()
        } else {
            self.store
                .home()
                .join("platforms")
                .join(format!("{}-{}", self.os, self.arch))
        };
        let bars = self.progress.then(indicatif::MultiProgress::new);
        let options = install::Options {
            download_base: &self.network.download_url,
            os: self.os,
            arch: self.arch,
            skip_checksum: self.skip_checksum,
            progress: bars.as_ref(),
        };
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = releases
                .iter()
                .map(|release| {
                    let (fetcher, options, dest_dir) = (&fetcher, &options, &dest_dir);
                    scope.spawn(move || {
                        let start = std::time::Instant::now();
                        install::install(self.store, fetcher, release, dest_dir, options)
                            .map(|outcome| (outcome, start.elapsed()))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("an install thread panicked"))
                .collect()
        });
        let mut failure = None;
        for result in results {
            match result {
                Ok((Outcome::Installed(i), took)) => say(&format!(
                    "installed Go {} in {:.1}s{}",
                    i.version,
                    took.as_secs_f64(),
                    if self.is_host() {
                        String::new()
                    } else {
                        format!(" at `{}`", i.root.display())
                    }
                )),
                Ok((Outcome::AlreadyInstalled(i), _)) => {
                    say(&format!("Go {} is already installed", i.version))
                }
                Err(e) => {
                    if let Some(previous) = failure.replace(Error::from(e)) {
                        error::report(&previous);
                    }
                }
            }
        }
        if self.is_host() {
            self.store.refresh_shims(&std::env::current_exe()?)?;
        }
        failure.map_or(Ok(()), Err)
    }

    /// The release each request names, from the index. A request the
    /// cached index cannot answer asks the server again, once.
    fn pick(&self, requests: &[Request], fetcher: &Fetcher) -> Result<Vec<Release>, Error> {
        let load = |refresh| index::load(&self.network.index_source(self.store, refresh), fetcher);
        let mut index: Index = load(self.refresh)?;
        let mut refreshed = self.refresh || self.network.offline;
        let mut releases = Vec::new();
        for request in requests {
            let mut found = index.pick(request, self.os, self.arch).cloned();
            if found.is_none() && !refreshed {
                index = load(true)?;
                refreshed = true;
                found = index.pick(request, self.os, self.arch).cloned();
            }
            let release = found.ok_or_else(|| {
                let wanted = match request {
                    Request::AtLeast(v) => format!("{v} or newer"),
                    r => r.to_string(),
                };
                Error::failed(
                    format!(
                        "no Go release matches `{wanted}` for {}-{} in the index at `{}`",
                        self.os, self.arch, self.network.index_url
                    ),
                    "run `gov list-remote --all` to see what is available".to_string(),
                )
            })?;
            if !releases
                .iter()
                .any(|r: &Release| r.version == release.version)
            {
                releases.push(release);
            }
        }
        Ok(releases)
    }
}
