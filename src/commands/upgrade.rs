//! `gov upgrade [REQUEST]`: the gray switch. Install the target beside the
//! active release, prove it with checks on the real project, and only then
//! switch what selected the active release; a failing or interrupted check
//! leaves every file and the global default as they were (SPEC 8).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::commands::parse_request;
use crate::download::Fetcher;
use crate::env_vars;
use crate::error::Error;
use crate::index;
use crate::install::{Done, InstallError, Installer};
use crate::platform;
use crate::request::Request;
use crate::resolve::{self, Source};
use crate::settings::Settings;
use crate::toolchain_env::ToolchainEnv;
use crate::ui;
use crate::upgrade::{self, CheckRun};
use crate::version::Version;
use crate::version_files::{self, FileKind};

/// The check of a Go module when none is given.
const MODULE_CHECK: &str = "go build ./... && go test ./...";

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov upgrade                          the newest patch of the active release's series, checked with go build and go test
  gov upgrade 1.22 --go-mod            to Go 1.22, moving go.mod's go line with Go 1.22's own go mod edit
  gov upgrade --check 'make test'      your own check (repeat --check for several)
  gov upgrade --dry-run                what it would install, run and change
  gov upgrade --recover                put back the files of an upgrade that was killed

While it runs, an upgrade keeps a copy of every file it may change in GOV_HOME/journal
and holds the lock of its project (the module, else this directory): a second upgrade
of the same project fails at once. Its checks die with it, even of a SIGKILL; the files
it left changed are put back by the next upgrade of the project, or by --recover.")]
pub struct Args {
    /// `1.22.12`, `1.22`, `latest` (default: the newest patch of the active
    /// release's series)
    request: Option<String>,
    /// A check to run under the target with `sh -c`, in this directory;
    /// repeatable (default in a Go module: go build ./... && go test ./...)
    #[arg(long = "check", value_name = "CMD")]
    checks: Vec<String>,
    /// Run no checks
    #[arg(long, conflicts_with = "checks")]
    no_check: bool,
    /// Switch the global default, whatever selected the active release
    #[arg(long, conflicts_with = "local")]
    global: bool,
    /// Switch this directory's .go-version (written if missing)
    #[arg(long)]
    local: bool,
    /// Also move the nearest go.mod's go line to the target (before the checks)
    #[arg(long)]
    go_mod: bool,
    /// Only say what would be installed, run and changed
    #[arg(long)]
    dry_run: bool,
    /// Print the plan and the outcome as JSON
    #[arg(long)]
    json: bool,
    /// Put back every file a killed gov upgrade left changed, then stop
    #[arg(
        long,
        conflicts_with_all = ["request", "checks", "no_check", "global", "local", "go_mod", "dry_run", "json"]
    )]
    recover: bool,
}

/// What the upgrade switches when the checks pass.
#[derive(Debug, Clone)]
enum Switch {
    Global,
    File(PathBuf, FileKind),
    /// Only go.mod (selected by it, with --go-mod).
    Nothing,
}

#[derive(Serialize)]
struct Report {
    current: String,
    target: String,
    install: bool,
    checks: Vec<String>,
    /// What it switches: `global`, or a version file's path.
    switch: Option<String>,
    go_mod: Option<String>,
    /// `planned` (dry run), `switched`, `failed`, `already`.
    outcome: &'static str,
    runs: Vec<CheckRun>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let (ctx, store) = (&settings.ctx, &settings.store);
    if args.recover {
        return recover(settings);
    }
    // The project: the module's directory, else this one (which must
    // still exist: the checks run there).
    let cwd = ctx.require_cwd()?;
    let module = version_files::find_module(cwd, ctx.var(env_vars::GOWORK))?;
    let project = module
        .dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ctx.cwd.clone());
    let project = project.canonicalize().unwrap_or(project);
    if args.dry_run {
        warn_of_killed_upgrades(store, None);
        return upgrade(args, settings, None);
    }
    settings.check_writable()?;
    // Held until the end, before anything is read: a second upgrade of the
    // project would plan from files this one is changing.
    let Some(_lock) = store.try_lock_path(&project)? else {
        let other = store
            .journals()
            .into_iter()
            .find(|j| j.entry().project == project && j.owner_alive())
            .map_or(String::new(), |j| {
                format!(" (pid {}, `{}`)", j.entry().pid, j.entry().command)
            });
        return Err(Error::failed(
            format!(
                "another gov upgrade{other} is changing `{}`",
                project.display()
            ),
            "wait for it to end, then run the command again".to_string(),
        ));
    };
    store.remove_partial_journals();
    for journal in store.journals() {
        if journal.entry().project == project && !journal.owner_alive() {
            recover_one(journal, settings)?;
        }
    }
    warn_of_killed_upgrades(store, Some(&project));
    let mut journal = store.begin_journal(&command_line(args), &project)?;
    let result = upgrade(args, settings, Some(&mut journal));
    // Whatever failed, every file goes back as it was; only then is the
    // journal removed.
    if let Err(failure) = &result {
        if let Err(e) = journal.restore() {
            crate::error::report(failure);
            return Err(Error::failed(
                format!("cannot put back the files this upgrade changed: {e}"),
                "fix the cause, then run `gov upgrade --recover`".to_string(),
            ));
        }
    }
    journal.end()?;
    result
}

/// `gov upgrade …` as the journal names it.
fn command_line(args: &Args) -> String {
    let mut line = "gov upgrade".to_string();
    if let Some(r) = &args.request {
        line.push_str(&format!(" {r}"));
    }
    for (set, flag) in [
        (args.go_mod, "--go-mod"),
        (args.global, "--global"),
        (args.local, "--local"),
    ] {
        if set {
            line.push_str(&format!(" {flag}"));
        }
    }
    line
}

/// `gov upgrade --recover`: every journal whose gov is gone, restored.
fn recover(settings: &Settings) -> Result<(), Error> {
    let store = &settings.store;
    settings.check_writable()?;
    store.remove_partial_journals();
    let mut found = false;
    for journal in store.journals() {
        let entry = journal.entry();
        found |= !entry.files.is_empty();
        if journal.owner_alive() {
            settings.say(format!(
                "`{}` (pid {}) is still running in `{}`: left alone",
                entry.command,
                entry.pid,
                entry.project.display()
            ));
            continue;
        }
        let Some(_lock) = store.try_lock_path(&entry.project)? else {
            settings.say(format!(
                "another gov upgrade is running in `{}`: it puts the files back itself",
                entry.project.display()
            ));
            continue;
        };
        recover_one(journal, settings)?;
    }
    if !found {
        settings.say("nothing to recover: no gov upgrade was killed while it had files changed");
    }
    Ok(())
}

/// Restores the files of the killed upgrade `journal` (its project's lock
/// held), says which, and removes the journal.
fn recover_one(journal: crate::store::Journal, settings: &Settings) -> Result<(), Error> {
    let entry = journal.entry().clone();
    let restored = journal.restore().map_err(|e| {
        Error::failed(
            format!(
                "cannot put back the files of a killed `{}` in `{}`: {e}",
                entry.command,
                entry.project.display()
            ),
            "fix the cause, then run `gov upgrade --recover`".to_string(),
        )
    })?;
    for path in &restored {
        settings.say(format!(
            "restored `{}` as it was before a killed gov upgrade (pid {}) changed it",
            path.display(),
            entry.pid
        ));
    }
    if restored.is_empty() && !entry.files.is_empty() {
        settings.explain(format!(
            "a killed gov upgrade (pid {}) in `{}` left its files as they were",
            entry.pid,
            entry.project.display()
        ));
    }
    journal.end()?;
    Ok(())
}

/// Warns of every killed upgrade whose files are still changed (but of
/// `except`'s project, which the caller restores), with the fix.
pub fn warn_of_killed_upgrades(store: &crate::store::Store, except: Option<&Path>) {
    for journal in store.journals() {
        let entry = journal.entry();
        if Some(entry.project.as_path()) == except || journal.owner_alive() {
            continue;
        }
        let files: Vec<String> = entry
            .files
            .iter()
            .map(|k| format!("`{}`", k.path.display()))
            .collect();
        if files.is_empty() {
            continue;
        }
        ui::warn(&format!(
            "a gov upgrade (pid {}) was killed while it had {} changed",
            entry.pid,
            files.join(", ")
        ));
        ui::line(
            ui::HINT,
            "hint:",
            "run `gov upgrade --recover` to put them back as they were",
        );
    }
}

/// The upgrade itself; `journal` keeps every file before it is changed
/// (none in a dry run). A failure leaves the files to the caller to put
/// back.
fn upgrade(
    args: &Args,
    settings: &Settings,
    mut journal: Option<&mut crate::store::Journal>,
) -> Result<(), Error> {
    let (ctx, store) = (&settings.ctx, &settings.store);
    let active = resolve::resolve(None, ctx, store)?;
    let current = active.version;

    let switch = match (&active.source, args.global, args.local) {
        (_, true, _) => Switch::Global,
        (_, _, true) => Switch::File(ctx.cwd.join(".go-version"), FileKind::GoVersion),
        (Source::Global, ..) => Switch::Global,
        (Source::File(path), ..) => match path.file_name().and_then(|n| n.to_str()) {
            Some(".go-version") => Switch::File(path.clone(), FileKind::GoVersion),
            Some(".tool-versions") => Switch::File(path.clone(), FileKind::ToolVersions),
            _ if args.go_mod => Switch::Nothing,
            _ => {
                return Err(Error::usage(
                    format!("Go {current} is selected by `{}`", path.display()),
                    "pass --go-mod to move its go line, or --local or --global to pin the target elsewhere".to_string(),
                ))
            }
        },
        (Source::Variable, ..) | (Source::Plus, ..) => {
            return Err(Error::usage(
                format!("Go {current} is selected by {} in this shell only", active.source),
                "pass --global or --local to choose what to switch, then `gov shell --unset`".to_string(),
            ))
        }
    };

    // The target: the request, else the newest patch of the active series.
    let request = match &args.request {
        Some(r) => parse_request(r)?,
        None => {
            let (major, minor) = current.series();
            Request::Series(major, minor)
        }
    };
    let source = index::Source::of(&settings.sources, store, false);
    let fetcher = Fetcher::new(&settings.sources);
    let (os, arch) = platform::host();
    // The index says what is newest; a release already here (a linked one,
    // or offline) needs none.
    let from_index = index::load(&source, &fetcher);
    let target = match (&from_index, store.pick(&request)?) {
        (Ok(index), here) => match (index.pick(&request, os, arch), here) {
            (Some(release), Some(i)) => release.version.max(i.version),
            (Some(release), None) => release.version,
            (None, Some(i)) => i.version,
            (None, None) => {
                return Err(InstallError::NoMatch {
                    wanted: request.to_string(),
                    platform: platform::Platform::host(),
                    index_url: settings.sources.index_url.clone(),
                    nearest: index.nearest(&request.to_string(), 3),
                }
                .into())
            }
        },
        (Err(e), Some(i)) => {
            ui::warn(&format!(
                "cannot check for newer releases ({e}); using what is installed"
            ));
            i.version
        }
        (Err(_), None) => return Err(from_index.expect_err("matched Err").into()),
    };
    if args.go_mod {
        if let Source::File(path) = &active.source {
            if path.extension().is_some_and(|e| e == "work") {
                return Err(Error::usage(
                    format!("Go {current} is selected by the workspace `{}`", path.display()),
                    format!(
                        "--go-mod moves a go.mod, not a go.work: run `gov run TARGET go work edit -go=TARGET` in `{}`, then `gov upgrade` without --go-mod",
                        path.parent().map_or(String::new(), |d| d.display().to_string())
                    ),
                ));
            }
        }
    }
    let module = version_files::find_module(&ctx.cwd, ctx.var(env_vars::GOWORK))?.go_mod;
    let go_mod = if args.go_mod {
        Some(module.clone().ok_or_else(|| {
            Error::failed(
                format!("--go-mod: no go.mod in `{}` or above", ctx.cwd.display()),
                "run it in a Go module, or leave out --go-mod".to_string(),
            )
        })?)
    } else {
        None
    };
    let checks: Vec<String> = match (args.no_check, args.checks.is_empty(), &module) {
        (true, ..) => vec![],
        (false, false, _) => args.checks.clone(),
        (false, true, Some(_)) => vec![MODULE_CHECK.to_string()],
        (false, true, None) => vec![],
    };
    let mut report = Report {
        current: current.to_string(),
        target: target.to_string(),
        install: store.find(&target)?.is_none(),
        checks: checks.clone(),
        switch: match &switch {
            Switch::Global => Some("global".into()),
            Switch::File(path, _) => Some(path.display().to_string()),
            Switch::Nothing => None,
        },
        go_mod: go_mod.as_ref().map(|p| p.display().to_string()),
        outcome: "planned",
        runs: vec![],
    };
    let go_mod_done = go_mod
        .as_ref()
        .and_then(|p| version_files::read(p).ok().flatten())
        .and_then(|text| {
            version_files::parse_go_mod(&text)
                .go
                .and_then(|(_, v)| Version::parse(v).ok())
        })
        .is_none_or(|v| v == target);
    if target == current && go_mod_done && !args.local && !args.global {
        report.outcome = "already";
        return finish(
            args,
            settings,
            &report,
            format!("Go {current} is already the newest match for `{request}`; nothing to do"),
        );
    }
    if args.dry_run {
        return finish(args, settings, &report, plan_text(&report));
    }
    settings.check_writable()?;

    // 1. The target, installed beside the active release.
    if report.install {
        let installer = Installer {
            progress: settings.progress(),
            verbose: settings.verbose,
            ..Installer::new(store, &settings.sources)
        };
        for done in installer.install_all(&[Request::Exact(target)])? {
            if let Done::Installed(i, took) = done? {
                settings.say(format!(
                    "installed Go {} in {:.1}s",
                    i.version,
                    took.as_secs_f64()
                ));
            }
        }
    }
    let installed = store.find(&target)?.ok_or_else(|| {
        Error::failed(
            format!("Go {target} is not installed after installing it"),
            None,
        )
    })?;
    store.check_trusted(&installed.root, None)?;

    // 2. Everything it may change, kept on disk; then the go.mod edit and
    // checks.
    crate::interrupt::catch_interrupts();
    let journal = journal.as_mut().expect("only a dry run has no journal");
    let mut kept = vec![];
    if let Some(go_mod) = &go_mod {
        kept.push(go_mod.clone());
        kept.push(go_mod.with_file_name("go.sum"));
    }
    if let Switch::File(path, _) = &switch {
        kept.push(path.clone());
    }
    // Each file's own lock too: another project may link to it, or share
    // a version file above both.
    let mut locks = vec![];
    let mut reals = vec![];
    for path in &kept {
        let real = crate::store::real_path(path)?;
        if reals.contains(&real) {
            continue;
        }
        let Some(lock) = store.try_lock_path(&real)? else {
            return Err(Error::failed(
                format!("another gov upgrade is changing `{}`", real.display()),
                "wait for it to end, then run the command again".to_string(),
            ));
        };
        locks.push(lock);
        reals.push(real);
    }
    for path in kept {
        journal.keep(&path).map_err(|e| {
            Error::failed(
                e.to_string(),
                "nothing was changed; gov changes only regular files of up to 64 MiB".to_string(),
            )
        })?;
    }
    crate::checkpoint::reached("upgrade-kept");
    let env = ToolchainEnv::new(&installed.root, ctx)
        .pin(target)
        .with_path()?;
    if let Some(go_mod) = &go_mod {
        let text = version_files::read(go_mod)?.unwrap_or_default();
        let had_toolchain = version_files::parse_go_mod(&text).toolchain.is_some();
        if let Err(e) = upgrade::edit_go_mod(go_mod, &target.to_string(), had_toolchain, &env, ctx)
        {
            return Err(Error::failed(
                format!("cannot move `{}` to Go {target}: {e}", go_mod.display()),
                "nothing was changed; fix the go.mod, or leave out --go-mod".to_string(),
            ));
        }
        settings.say(format!("moved `{}` to go {target}", go_mod.display()));
    }
    crate::checkpoint::reached("upgrade-edited");
    for check in &checks {
        settings.say(format!("checking Go {target}: {check}"));
        let run = match upgrade::run_check(check, &ctx.cwd, &env, ctx) {
            Ok(run) => run,
            Err(e) => {
                return Err(Error::failed(
                    format!("cannot run the check `{check}`: {e}"),
                    None,
                ))
            }
        };
        let passed = run.passed;
        report.runs.push(run.clone());
        if let Some(signal) = crate::interrupt::interrupted() {
            return Err(Error::Interrupted {
                message: format!(
                    "interrupted during the check `{check}`: nothing was switched, and every file is as it was"
                ),
                signal,
            });
        }
        if !passed {
            report.outcome = "failed";
            if args.json {
                super::print_json(&report);
            }
            let code = run
                .code
                .map_or("a signal".to_string(), |c| format!("exit code {c}"));
            eprintln!("--- the last lines of `{}` ---", ui::escape(check));
            for line in run.tail.lines() {
                // Tabs are the output's own indentation (Go's hints use them).
                let shown: Vec<String> = line
                    .split('\t')
                    .map(|part| ui::escape(part).into_owned())
                    .collect();
                eprintln!("{}", shown.join("\t"));
            }
            eprintln!("---");
            return Err(Error::failed(
                format!(
                    "the check `{check}` failed under Go {target} ({code}), so Go {current} stays"
                ),
                format!(
                    "nothing was switched and every file is as it was; Go {target} stays installed: try it with `gov run {target} sh -c {}`",
                    crate::shell::Shell::Sh.quote(check)
                ),
            ));
        }
    }

    crate::interrupt::release_interrupts();
    if let Some(signal) = crate::interrupt::interrupted() {
        return Err(Error::Interrupted {
            message: "interrupted: nothing was switched, and every file is as it was".into(),
            signal,
        });
    }

    // 3. All checks passed: switch; if that fails, every file goes back.
    crate::checkpoint::reached("upgrade-checked");
    switch_to(&switch, &installed, target, args, settings)?;
    crate::checkpoint::reached("upgrade-switched");
    if let (Switch::Global, Source::File(path)) = (&switch, &active.source) {
        ui::warn(&format!(
            "`{}` still selects Go {current} here: run `gov upgrade --no-check {target}` without --global to move it too",
            path.display()
        ));
    }
    report.outcome = "switched";
    let what = match &switch {
        Switch::Global => "the global default".to_string(),
        Switch::File(path, _) => format!("`{}`", path.display()),
        Switch::Nothing => format!(
            "`{}`",
            go_mod
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string())
        ),
    };
    let message = format!(
        "Go {target} passed {} check(s); {what} now selects it (was Go {current})",
        checks.len()
    );
    finish(args, settings, &report, message)
}

/// Makes `switch` select `installed`.
fn switch_to(
    switch: &Switch,
    installed: &crate::store::Installed,
    target: Version,
    args: &Args,
    settings: &Settings,
) -> Result<(), Error> {
    match switch {
        Switch::Global => {
            let command = match &args.request {
                Some(r) => format!("gov upgrade {r}"),
                None => "gov upgrade".to_string(),
            };
            settings.store.set_global(installed, &command)?;
        }
        Switch::File(path, kind) => {
            let text = version_files::read(path)?;
            let new = match text
                .as_deref()
                .and_then(|t| version_files::rewrite(t, *kind, &target.to_string()))
            {
                Some(new) => new,
                None => format!("{target}\n"),
            };
            // Through a link, which stays one.
            crate::store::write_through(path, new.as_bytes())?;
        }
        Switch::Nothing => {}
    }
    Ok(())
}

fn finish(args: &Args, settings: &Settings, report: &Report, message: String) -> Result<(), Error> {
    if args.json {
        super::print_json(report);
    } else if report.outcome == "planned" {
        for line in message.lines() {
            println!("{}", ui::escape(line));
        }
    } else {
        settings.say(message);
    }
    Ok(())
}

fn plan_text(report: &Report) -> String {
    let mut out = format!("upgrade Go {} -> Go {}\n", report.current, report.target);
    if report.install {
        out.push_str(&format!("  install Go {} (verified)\n", report.target));
    }
    if let Some(go_mod) = &report.go_mod {
        out.push_str(&format!("  move `{go_mod}` to go {}\n", report.target));
    }
    if report.checks.is_empty() {
        out.push_str("  run no checks\n");
    }
    for check in &report.checks {
        out.push_str(&format!("  check: {check}\n"));
    }
    match &report.switch {
        Some(s) if s == "global" => {
            out.push_str("  then switch the global default (recorded in gov history)\n")
        }
        Some(path) => out.push_str(&format!("  then rewrite `{path}`\n")),
        None => {}
    }
    out
}
