//! `gov init SHELL`: the lines to evaluate in a shell's start-up file.

use std::os::unix::fs::MetadataExt;

use crate::error::Error;
use crate::settings::Settings;
use crate::shell::{self, InitShell};

pub fn run(settings: &Settings, shell: InitShell, no_shims: bool) -> Result<(), Error> {
    settings.refresh_shims()?;
    let uid = std::fs::metadata(settings.store.home())
        .map(|m| m.uid())
        .unwrap_or(0);
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty());
    let base = shell::link_base(runtime.as_deref().map(std::path::Path::new), uid);
    if no_shims {
        shell::clean_dead_shells(&base);
    }
    print!(
        "{}",
        shell::init_script(shell, &settings.exe()?, &settings.store, !no_shims, &base)
    );
    Ok(())
}
