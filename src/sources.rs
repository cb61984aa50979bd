//! Where releases come from and how patiently: the index URL, the base of
//! the archives, offline mode, timeouts, retries and proxy exceptions.

use std::time::Duration;

use crate::context::Context;
use crate::env_vars;

/// go.dev's release index, the default of `GOV_INDEX_URL`.
pub const DEFAULT_INDEX_URL: &str = "https://go.dev/dl/?mode=json&include=all";
/// go.dev's archives, the default of `GOV_DOWNLOAD_URL`.
pub const DEFAULT_DOWNLOAD_URL: &str = "https://dl.google.com/go/";

#[derive(Debug, Clone)]
pub struct Sources {
    pub index_url: String,
    pub download_url: String,
    /// `GOV_OFFLINE`: never touch the network.
    pub offline: bool,
    /// Without a byte for this long, a transfer fails.
    pub timeout: Duration,
    /// The first back-off before a retry; it doubles.
    pub retry_delay: Duration,
    /// `NO_PROXY`: hosts reached directly.
    pub no_proxy: String,
}

impl Sources {
    pub fn from_context(ctx: &Context) -> Sources {
        let text = |name, default: &str| ctx.text(name).unwrap_or(default).to_string();
        let number = |name, default: f64| {
            ctx.text(name)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
                .unwrap_or(default)
        };
        Sources {
            index_url: text(env_vars::GOV_INDEX_URL, DEFAULT_INDEX_URL),
            download_url: text(env_vars::GOV_DOWNLOAD_URL, DEFAULT_DOWNLOAD_URL),
            offline: ctx.is_set(env_vars::GOV_OFFLINE),
            timeout: Duration::from_secs_f64(number(env_vars::GOV_HTTP_TIMEOUT, 30.0).max(0.1)),
            retry_delay: Duration::from_millis(number(env_vars::GOV_RETRY_DELAY_MS, 500.0) as u64),
            no_proxy: ctx
                .text(env_vars::NO_PROXY)
                .or_else(|| ctx.text(env_vars::NO_PROXY_LOWER))
                .unwrap_or_default()
                .to_string(),
        }
    }
}
