//! A release mirror on loopback: an index and archives a test chooses,
//! and gov commands pointed at it.

use std::sync::Arc;

use super::archive;
use super::server::{Reply, Server};
use super::TestEnv;

/// The `GOV_HTTP_TIMEOUT` of [`Mirror::gov_cmd`], in seconds.
pub const MIRROR_HTTP_TIMEOUT: &str = "60";

/// A mirror serving fake releases, with its own isolated gov home.
pub struct Mirror {
    pub env: TestEnv,
    pub server: Server,
}

impl Mirror {
    /// A mirror serving fake releases with their true digests.
    pub fn new(versions: &[&str]) -> Mirror {
        let server = Server::start();
        let mut listed = Vec::new();
        for v in versions {
            let body = archive::fake_release(v);
            listed.push((v.to_string(), archive::sha256(&body)));
            server.route(
                &format!("go{v}.linux-amd64.tar.gz"),
                Reply::Body(Arc::new(body)),
            );
        }
        let refs: Vec<(&str, &str)> = listed
            .iter()
            .map(|(v, d)| (v.as_str(), d.as_str()))
            .collect();
        server.route("index.json", Reply::Body(Arc::new(archive::index(&refs))));
        Mirror {
            env: TestEnv::new(),
            server,
        }
    }

    /// Serves `body` as the only release, `version`, with its true digest.
    pub fn publish(&self, version: &str, body: Vec<u8>) {
        let index = archive::index(&[(version, &archive::sha256(&body))]);
        self.server
            .route("index.json", Reply::Body(Arc::new(index)));
        let name = format!("go{version}.linux-amd64.tar.gz");
        self.server.route(&name, Reply::Body(Arc::new(body)));
    }

    pub fn gov_cmd<I, S>(&self, args: I) -> std::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = self.env.gov_cmd(args);
        // Retries at once, but patient with the server: on a busy machine
        // its thread may take a while to answer, which must never look
        // like a stall. A failure is fast because the server fails at once
        // (an error status, a short body, a closed connection); a test of
        // the timeout itself sets a small one.
        cmd.env("GOV_INDEX_URL", self.server.url("index.json"))
            .env("GOV_DOWNLOAD_URL", &self.server.base)
            .env("GOV_RETRY_DELAY_MS", "0")
            .env("GOV_HTTP_TIMEOUT", MIRROR_HTTP_TIMEOUT);
        cmd
    }

    pub fn gov(&self, args: &[&str]) -> std::process::Output {
        self.gov_cmd(args).output().unwrap()
    }

    /// Nothing half-installed: no release, no scratch directory left.
    pub fn assert_nothing_installed(&self) {
        let versions = self.env.gov_home.join("versions");
        let listed: Vec<_> = std::fs::read_dir(&versions)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(listed.is_empty(), "versions/ holds {listed:?}");
        let tmp: Vec<_> = std::fs::read_dir(self.env.gov_home.join("tmp"))
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(tmp.is_empty(), "tmp/ holds {tmp:?}");
    }
}
