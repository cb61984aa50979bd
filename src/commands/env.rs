//! `gov env`: the environment the active release needs, for shells, CI
//! and editors; `gov env --hook` is what the prompt hook of `gov init` runs.

use std::path::{Path, PathBuf};

use clap::builder::{PossibleValuesParser, TypedValueParser};

use crate::commands::shells;
use crate::error::{self, Error};
use crate::resolve;
use crate::settings::Settings;
use crate::shell::Shell;
use crate::toolchain_env::{Isolate, ToolchainEnv};
use crate::ui;

/// How `gov env` writes the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Shell(Shell),
    Json,
    /// Appended to GitHub Actions' `$GITHUB_ENV` and `$GITHUB_PATH`.
    Github,
}

fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(["sh", "fish", "pwsh", "json", "github"]).map(|name| {
        match name.as_str() {
            "json" => Format::Json,
            "github" => Format::Github,
            other => Format::Shell(Shell::from_name(other).expect("a listed shell")),
        }
    })
}

fn isolate_parser() -> impl TypedValueParser<Value = Isolate> {
    PossibleValuesParser::new(Isolate::NAMES)
        .map(|name| Isolate::from_name(&name).expect("a listed mode"))
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  eval \"$(gov env)\"                    set up this shell for the active release
  gov env GOROOT                       print one value, as `go env GOROOT` does
  gov env --shell github --isolate job in a GitHub Actions step")]
pub struct Args {
    /// Print only these variables' values, one a line (as `go env NAME`)
    names: Vec<String>,
    /// How to write it: for a shell, as JSON, or into GitHub Actions' files
    #[arg(long, value_parser = format_parser(), default_value = "sh")]
    shell: Format,
    /// Give CI jobs their own GOCACHE, GOMODCACHE and GOPATH
    #[arg(long, value_parser = isolate_parser(), default_value = "none")]
    isolate: Isolate,
    /// The same as --shell json
    #[arg(long)]
    json: bool,
    /// What the prompt hook of `gov init` runs
    #[arg(long, hide = true, value_parser = shells(&["bash", "zsh", "fish"]))]
    hook: Option<Shell>,
    #[arg(long, hide = true, requires = "hook")]
    link_dir: Option<PathBuf>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    if let Some(shell) = args.hook {
        return hook(settings, shell, args.link_dir.as_deref());
    }
    let format = if args.json { Format::Json } else { args.shell };
    let ctx = &settings.ctx;
    let resolved = resolve::resolve(None, ctx, &settings.store)?;
    let env = ToolchainEnv::new(&resolved.root, ctx)
        .for_ci(resolved.version, args.isolate, &settings.store, ctx)?
        .with_path()?;
    if !args.names.is_empty() {
        // A name gov does not set prints an empty line, as with `go env`.
        for name in &args.names {
            let value = match name.as_str() {
                "PATH" => env.path(ctx),
                other => env.get(other).map(|v| v.to_owned()),
            };
            println!(
                "{}",
                ui::escape(&value.unwrap_or_default().to_string_lossy())
            );
        }
        return Ok(());
    }
    match format {
        Format::Shell(shell) => print!("{}", shell.env_code(&env)),
        Format::Json => super::print_json(&env.to_json(ctx)),
        Format::Github => {
            env.write_github(ctx)?;
            settings.say(format!("Go {} set up for the next steps", resolved.version));
        }
    }
    Ok(())
}

/// The prompt hook: never fails the prompt, says once what is wrong.
fn hook(settings: &Settings, shell: Shell, link_dir: Option<&Path>) -> Result<(), Error> {
    let ctx = &settings.ctx;
    let resolved = match resolve::resolve(None, ctx, &settings.store) {
        Ok(r) => Some(r),
        Err(resolve::ResolveError::NothingSelected { .. }) => None,
        Err(e) => {
            error::report(&e.into());
            None
        }
    };
    // Say so when a `go` put on PATH after `gov init` shadows gov's.
    if let Some(first) = crate::doctor::first_go_on_path(ctx.path()) {
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
        // Another user's directory never chooses this shell's `go`.
        crate::shell::check_link_dir(dir)?;
        let link = dir.join("bin");
        match &resolved {
            Some(r) => crate::fsx::replace_symlink(&r.root.join("bin"), &link)?,
            None => {
                let _ = std::fs::remove_file(&link);
            }
        }
    }
    let env = resolved.map(|r| ToolchainEnv::new(&r.root, ctx));
    print!(
        "{}",
        crate::shell::hook_code(shell, env.as_ref(), link_dir.is_none())
    );
    Ok(())
}
