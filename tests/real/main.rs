//! The real integration tests: Debian's Go 1.19, real Go releases from the
//! mirror `scripts/go-mirror.sh` builds, real interactive shells, real
//! podman containers and fleets of them Ansible drives.
//! `.ci/run` installs what they need.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod ansible;
mod arm64;
mod audit;
mod buildinfo;
mod container;
mod doctor;
mod export;
mod fleet;
mod go;
mod goproxy;
mod hostile;
mod import;
mod install;
mod lock;
mod matrix;
mod modes;
mod nginx;
mod proxy;
mod proxy_mirror;
mod release;
mod sbom;
mod shells;
mod soak;
mod system;
mod upgrade;
