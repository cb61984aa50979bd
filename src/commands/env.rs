//! `gov env`: the environment the active release needs, for shells, CI
//! and editors; `gov env --hook` is what the prompt hook of `gov init` runs.

use std::path::Path;

use crate::env::{self, Isolate};
use crate::env_vars;
use crate::error::{self, Error};
use crate::resolve;
use crate::settings::Settings;
use crate::shell::{self, InitShell};
use crate::ui;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvShell {
    Sh,
    Fish,
    Pwsh,
    Json,
    Github,
}

pub fn run(settings: &Settings, shell: EnvShell, isolate: Isolate) -> Result<(), Error> {
    let resolved = resolve::resolve(None, &settings.ctx, &settings.store)?;
    let get = |name: &str| std::env::var(name).ok();
    let go_env = env::go_env(&resolved, &settings.store, isolate, &settings.ctx.cwd, &get)?;
    match shell {
        EnvShell::Sh => print!("{}", env::render_sh(&go_env)),
        EnvShell::Fish => print!("{}", env::render_fish(&go_env)),
        EnvShell::Pwsh => print!("{}", env::render_pwsh(&go_env)),
        EnvShell::Json => super::print_json(&env::render_json(
            &go_env,
            &std::env::var_os(env_vars::PATH).unwrap_or_default(),
        )),
        EnvShell::Github => {
            let (Some(genv), Some(gpath)) = (get("GITHUB_ENV"), get("GITHUB_PATH")) else {
                return Err(env::EnvError::NotGithub.into());
            };
            env::write_github(&go_env, Path::new(&genv), Path::new(&gpath))?;
            settings.say(format!("Go {} set up for the next steps", resolved.version));
        }
    }
    Ok(())
}

/// The prompt hook: never fails the prompt, says once what is wrong.
pub fn hook(settings: &Settings, shell: InitShell, link_dir: Option<&Path>) -> Result<(), Error> {
    let resolved = match resolve::resolve(None, &settings.ctx, &settings.store) {
        Ok(r) => Some(r),
        Err(resolve::ResolveError::NothingSelected { .. }) => None,
        Err(e) => {
            error::report(&e.into());
            None
        }
    };
    // Say so when a `go` put on PATH after `gov init` shadows gov's.
    let path = std::env::var_os(env_vars::PATH).unwrap_or_default();
    if let Some(first) = crate::doctor::first_go_on_path(&path) {
        let ours = first.parent() == Some(settings.store.bin_dir().as_path())
            || link_dir.is_some_and(|d| first.parent() == Some(d.join("bin").as_path()));
        if !ours {
            ui::warn(&format!(
                "`{}` comes before gov on PATH and shadows it; put `gov init` last in your shell's start-up file",
                first.display()
            ));
        }
    }
    if let Some(dir) = link_dir {
        let link = dir.join("bin");
        match &resolved {
            Some(r) => crate::fsx::replace_symlink(&r.root.join("bin"), &link)?,
            None => {
                let _ = std::fs::remove_file(&link);
            }
        }
    }
    print!(
        "{}",
        shell::hook_code(shell, resolved.as_ref().map(|r| r.root.as_path()))
    );
    Ok(())
}
