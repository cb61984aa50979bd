//! gov: install Go toolchains side by side and run the right one.
//!
//! Where to look: `resolve` decides which release runs, `shim` is what
//! happens on every `go` call, `store` is the layout under `GOV_HOME`.
//! `docs/ARCHITECTURE.md` maps every module.

pub mod audit;
pub mod checkpoint;
pub mod cli;
pub mod commands;
pub mod context;
pub mod dirhash;
pub mod doctor;
pub mod download;
pub mod env_vars;
pub mod error;
pub mod export;
pub mod fsx;
pub mod goproxy;
pub mod goroot;
pub mod index;
pub mod install;
pub mod interrupt;
pub mod lock;
pub mod matrix;
pub mod mirror;
pub mod netrc;
pub mod platform;
pub mod request;
pub mod resolve;
pub mod sbom;
pub mod settings;
pub mod shell;
pub mod shim;
pub mod sources;
pub mod store;
pub mod sumdb;
pub mod timestamp;
pub mod toolchain_env;
pub mod ui;
pub mod upgrade;
pub mod version;
pub mod version_files;
pub mod vulndb;
