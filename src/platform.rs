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

/// A platform as container tools and CI runners name it (`linux/amd64`,
/// `linux/arm/v7`): the OS and architecture in Go's names (`GOOS`,
/// `GOARCH`), and for 32-bit ARM the variant (`GOARM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub os: String,
    pub arch: String,
    /// `v5`, `v6` or `v7` for `arm`; none for the others.
    pub variant: Option<String>,
}

/// The architectures Go builds for on Linux, in Go's names (which are the
/// container tools' too).
const LINUX_ARCHES: [&str; 13] = [
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64",
    "ppc64le", "riscv64", "s390x",
];

impl Target {
    /// `os/arch[/variant]` as `docker buildx build --platform` takes it.
    /// `linux/arm` is `linux/arm/v7` and `linux/arm64/v8` is
    /// `linux/arm64`, as those tools normalise them.
    pub fn parse(value: &str) -> Result<Target, String> {
        let parts: Vec<&str> = value.split('/').collect();
        let (os, arch, variant) = match parts[..] {
            [os, arch] => (os, arch, None),
            [os, arch, variant] => (os, arch, Some(variant)),
            _ => return Err("a platform is OS/ARCH or OS/ARCH/VARIANT".into()),
        };
        let known = match os {
            "linux" => LINUX_ARCHES.contains(&arch),
            "darwin" => matches!(arch, "amd64" | "arm64"),
            "windows" => matches!(arch, "386" | "amd64" | "arm64"),
            _ => return Err(format!("Go has no port to the OS `{os}` gov builds for")),
        };
        if !known {
            return Err(format!("Go has no port to {os}/{arch}"));
        }
        let variant = match (arch, variant) {
            ("arm", None) => Some("v7".to_string()),
            ("arm", Some(v @ ("v5" | "v6" | "v7"))) => Some(v.to_string()),
            ("arm64", Some("v8")) | (_, None) => None,
            (_, Some(v)) => return Err(format!("{os}/{arch} has no variant `{v}` Go builds for")),
        };
        Ok(Target {
            os: os.into(),
            arch: arch.into(),
            variant,
        })
    }

    /// `GOARM`: the variant's number, for 32-bit ARM.
    pub fn goarm(&self) -> Option<&str> {
        self.variant.as_deref().map(|v| v.trim_start_matches('v'))
    }

    /// The platform of the release that runs there, in go.dev's names:
    /// 32-bit ARM's archive is `armv6l`, which runs on v6 and v7.
    pub fn release_platform(&self) -> Platform {
        Platform {
            os: self.os.clone(),
            arch: match self.arch.as_str() {
                "arm" => "armv6l".into(),
                arch => arch.into(),
            },
        }
    }

    /// The target of a machine of `platform` (go.dev's names).
    pub fn of(platform: &Platform) -> Target {
        let arm = platform.arch == "armv6l";
        Target {
            os: platform.os.clone(),
            arch: if arm {
                "arm".into()
            } else {
                platform.arch.clone()
            },
            variant: arm.then(|| "v6".to_string()),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_as_container_tools_write_them() {
        for (given, shown, goarm, release) in [
            ("linux/amd64", "linux/amd64", None, "linux-amd64"),
            ("linux/arm64", "linux/arm64", None, "linux-arm64"),
            ("linux/arm64/v8", "linux/arm64", None, "linux-arm64"),
            ("linux/arm", "linux/arm/v7", Some("7"), "linux-armv6l"),
            ("linux/arm/v6", "linux/arm/v6", Some("6"), "linux-armv6l"),
            ("linux/riscv64", "linux/riscv64", None, "linux-riscv64"),
            ("darwin/arm64", "darwin/arm64", None, "darwin-arm64"),
        ] {
            let t = Target::parse(given).unwrap();
            assert_eq!(t.to_string(), shown);
            assert_eq!(t.goarm(), goarm);
            assert_eq!(t.release_platform().to_string(), release);
            assert_eq!(Target::parse(&t.to_string()).unwrap(), t);
        }
        for bad in [
            "",
            "linux",
            "linux/",
            "linux/x86_64",
            "linux/amd64/v2",
            "linux/arm/v8",
            "plan10/amd64",
            "linux/arm64/v8/x",
            "darwin/riscv64",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        let pi = Target::of(&Platform {
            os: "linux".into(),
            arch: "armv6l".into(),
        });
        assert_eq!(pi.to_string(), "linux/arm/v6");
    }
}
