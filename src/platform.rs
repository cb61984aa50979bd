//! Platforms in go.dev's names: `linux-amd64`, `darwin-arm64`, …

use std::fmt;

/// An OS and architecture as go.dev names them in its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
}

impl Platform {
    /// This machine.
    pub fn host() -> Platform {
        let (os, arch) = host();
        Platform {
            os: os.into(),
            arch: arch.into(),
        }
    }

    /// The host, with `--os`/`--arch` overriding either half.
    pub fn host_or(os: Option<&str>, arch: Option<&str>) -> Platform {
        let host = Platform::host();
        Platform {
            os: os.map_or(host.os, str::to_string),
            arch: arch.map_or(host.arch, str::to_string),
        }
    }

    pub fn is_host(&self) -> bool {
        (self.os.as_str(), self.arch.as_str()) == host()
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os, self.arch)
    }
}

/// go.dev's names for this machine's OS and architecture.
pub fn host() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "armv6l",
        "powerpc64" if cfg!(target_endian = "big") => "ppc64",
        "powerpc64" => "ppc64le",
        "mips" if cfg!(target_endian = "little") => "mipsle",
        "mips64" if cfg!(target_endian = "little") => "mips64le",
        "loongarch64" => "loong64",
        other => other,
    };
    (os, arch)
}
