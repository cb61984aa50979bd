//! The fast integration tests: the real gov binary in an isolated home,
//! against fake toolchains and a loopback HTTP mirror of fake releases.
//! `cargo test --test it` runs them in seconds.

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod audit;
mod commands;
mod concurrency;
mod crash;
mod env;
mod export;
mod foreign;
mod global_switch;
mod hints;
mod history;
mod import_copy;
mod install;
mod json;
mod lock;
mod matrix;
mod mirror;
mod odd;
mod pipes;
mod places;
mod proxy;
mod records;
mod sbom;
mod security;
mod shim;
mod system;
mod upgrade;
