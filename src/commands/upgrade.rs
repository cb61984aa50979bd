//! `gov upgrade [REQUEST]`: the gray switch. Install the target beside the
//! active release, prove it with checks on the real project, and only then
//! switch what selected the active release; a failing or interrupted check
//! leaves every file and the global default as they were (SPEC 8).

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::commands::parse_request;
use crate::env_vars;
use crate::error::Error;
use crate::goroot::GoRoot;
use crate::install::{Done, Installer, Listed};
use crate::platform::Platform;
use crate::request::Request;
use crate::resolve::{self, Source};
use crate::settings::Settings;
use crate::toolchain_env::ToolchainEnv;
use crate::ui;
use crate::upgrade::{self, CheckRun, Outcome, Plan, Switch, UpgradeError};
use crate::version::Version;
use crate::version_files;

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

#[derive(Serialize)]
struct Report {
    /// Whether anything switched (the outcome is `switched`).
    changed: bool,
    current: String,
    target: String,
    install: bool,
    checks: Vec<String>,
    /// What it switches: `global`, or a version file's path.
    switch: Option<String>,
    go_mod: Option<String>,
    /// `planned` (dry run), `switched`, `failed`, `already`.
    outcome: Outcome,
    runs: Vec<CheckRun>,
    /// The IDs of the known vulnerabilities of `current` that `target`
    /// no longer has, from the cached Go vulnerability database (`gov
    /// audit` fills it); `null` when none is cached.
    fixes: Option<Vec<String>>,
    /// How long installing the target took (`null`: it was installed).
    install_seconds: Option<f64>,
    /// The whole command's wall time.
    seconds: f64,
    #[serde(skip)]
    start: Instant,
}

impl Report {
    fn of(plan: &Plan) -> Report {
        Report {
            current: plan.current.to_string(),
            target: plan.target.to_string(),
            install: plan.install,
            checks: plan.checks.clone(),
            switch: match &plan.switch {
                Switch::Global => Some("global".into()),
                Switch::File(path, _) => Some(path.display().to_string()),
                Switch::Nothing => None,
            },
            go_mod: plan.go_mod.as_ref().map(|p| p.display().to_string()),
            outcome: Outcome::Planned,
            runs: vec![],
            fixes: None,
            install_seconds: None,
            seconds: 0.0,
            changed: false,
            start: Instant::now(),
        }
    }
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let start = Instant::now();
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
        return upgrade(args, settings, module.go_mod.as_deref(), None, start);
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
        return Err(UpgradeError::Busy {
            who: other,
            path: project,
        }
        .into());
    };
    store.remove_partial_journals();
    for journal in store.journals() {
        if journal.entry().project == project && !journal.owner_alive() {
            recover_one(journal, settings)?;
        }
    }
    warn_of_killed_upgrades(store, Some(&project));
    let mut journal = store.begin_journal(&command_line(args), &project)?;
    let result = upgrade(
        args,
        settings,
        module.go_mod.as_deref(),
        Some(&mut journal),
        start,
    );
    // Whatever failed, every file goes back as it was; only then is the
    // journal removed.
    if let Err(failure) = &result {
        if let Err(e) = journal.restore() {
            crate::error::report(failure);
            return Err(UpgradeError::Restore { error: e }.into());
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
    let restored = journal.restore().map_err(|error| UpgradeError::Recover {
        command: entry.command.clone(),
        project: entry.project.clone(),
        error,
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

/// The upgrade itself, in the module whose go.mod is `module`; `journal`
/// keeps every file before it is changed (none in a dry run). A failure
/// leaves the files to the caller to put back.
fn upgrade(
    args: &Args,
    settings: &Settings,
    module: Option<&Path>,
    mut journal: Option<&mut crate::store::Journal>,
    start: Instant,
) -> Result<(), Error> {
    let (ctx, store) = (&settings.ctx, &settings.store);
    let flags = upgrade::Flags {
        checks: args.checks.clone(),
        no_check: args.no_check,
        global: args.global,
        local: args.local,
        go_mod: args.go_mod,
    };
    let active = resolve::resolve(None, ctx, store)?;
    let current = active.version;
    let switch = Switch::choose(current, &active.source, &flags, &ctx.cwd)?;

    // The target: the request, else the newest patch of the active series.
    let request = match &args.request {
        Some(r) => parse_request(r)?,
        None => {
            let (major, minor) = current.series();
            Request::Series(major, minor)
        }
    };
    // What the source lists says what is newest; a release already here
    // (a linked one, or offline) needs none.
    let listed = Listed::of(&settings.sources, store, &Platform::host());
    let here = store.pick(&request)?.map(|i| i.version);
    let target = match listed {
        Ok(listed) => upgrade::newest(listed.pick(&request), here)
            .ok_or_else(|| listed.no_match(&request, &Platform::host()))?,
        Err(e) => match here {
            Some(version) => {
                ui::warn(&format!(
                    "cannot check for newer releases ({e}); using what is installed"
                ));
                version
            }
            None => return Err(e.into()),
        },
    };
    let module_go = match module.filter(|_| args.go_mod) {
        Some(go_mod) => version_files::read(go_mod).ok().flatten().and_then(|text| {
            version_files::parse_go_mod(&text)
                .go
                .and_then(|(_, v)| Version::parse(v).ok())
        }),
        None => None,
    };
    // Its error is reported after the plan's own, as it always was.
    let found = store.find(&target);
    let plan = Plan::new(upgrade::Inputs {
        current,
        source: &active.source,
        switch,
        target,
        target_installed: matches!(found, Ok(Some(_))),
        module,
        module_go,
        cwd: &ctx.cwd,
        flags: &flags,
        global: store.own_global(),
    })?;
    found?;
    let mut report = Report::of(&plan);
    report.start = start;
    report.fixes = fixes(settings, &current, &plan.target);
    if plan.up_to_date {
        report.outcome = Outcome::UpToDate;
        return finish(
            args,
            settings,
            &mut report,
            format!("Go {current} is already the newest match for `{request}`; nothing to do"),
        );
    }
    if args.dry_run {
        let text = plan_text(&report);
        return finish(args, settings, &mut report, text);
    }
    settings.check_writable()?;

    // 1. The target, installed beside the active release.
    if plan.install {
        let installer = Installer {
            progress: settings.progress(),
            verbose: settings.verbose,
            ..Installer::new(store, &settings.sources)
        };
        for done in installer.install_all(&[Request::Exact(target)])? {
            if let Done::Installed(i, took) = done? {
                report.install_seconds = Some(took.as_secs_f64());
                settings.say(format!(
                    "installed Go {} in {:.1}s",
                    i.version,
                    took.as_secs_f64()
                ));
            }
        }
    }
    let installed = store
        .find(&target)?
        .ok_or(UpgradeError::NotInstalled { target })?;
    store.check_trusted(&installed.root, None)?;
    GoRoot::new(&installed.root).check_go_runs_here(installed.version, installed.system)?;

    // 2. Everything it may change, kept on disk; then the go.mod edit and
    // checks.
    crate::interrupt::catch_interrupts();
    let journal = journal.as_mut().expect("only a dry run has no journal");
    let _locks = upgrade::keep(&plan, store, journal)?;
    crate::checkpoint::reached("upgrade-kept");
    let env = ToolchainEnv::new(&installed.root, ctx)
        .pin(target)
        .with_path()?;
    if let Some(go_mod) = &plan.go_mod {
        let text = version_files::read(go_mod)?.unwrap_or_default();
        let had_toolchain = version_files::parse_go_mod(&text).toolchain.is_some();
        upgrade::edit_go_mod(go_mod, &target.to_string(), had_toolchain, &env, ctx).map_err(
            |reason| UpgradeError::EditGoMod {
                go_mod: go_mod.clone(),
                target,
                reason,
            },
        )?;
        settings.say(format!("moved `{}` to go {target}", go_mod.display()));
    }
    crate::checkpoint::reached("upgrade-edited");
    for check in &plan.checks {
        settings.say(format!("checking Go {target}: {check}"));
        let run = upgrade::run_check(check, &ctx.cwd, &env, ctx).map_err(|error| {
            UpgradeError::StartCheck {
                check: check.clone(),
                error,
            }
        })?;
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
            report.outcome = Outcome::Failed;
            if args.json {
                report.seconds = start.elapsed().as_secs_f64();
                super::print_json(&report);
            }
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
            return Err(UpgradeError::CheckFailed(Box::new(upgrade::FailedCheck {
                check: check.clone(),
                target,
                current,
                code: run.code,
            }))
            .into());
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
    let command = match &args.request {
        Some(r) => format!("gov upgrade {r}"),
        None => "gov upgrade".to_string(),
    };
    plan.switch.apply(&installed, target, &command, store)?;
    crate::checkpoint::reached("upgrade-switched");
    if let (Switch::Global, Source::File(path)) = (&plan.switch, &active.source) {
        ui::warn(&format!(
            "`{}` still selects Go {current} here: run `gov upgrade --no-check {target}` without --global to move it too",
            path.display()
        ));
    }
    report.outcome = Outcome::Switched;
    let what = match &plan.switch {
        Switch::Global => "the global default".to_string(),
        Switch::File(path, _) => format!("`{}`", path.display()),
        Switch::Nothing => format!(
            "`{}`",
            plan.go_mod
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string())
        ),
    };
    let message = format!(
        "Go {target} passed {} check(s); {what} now selects it (was Go {current}){}",
        plan.checks.len(),
        fixes_text(&report).map_or(String::new(), |t| format!("; it {t}"))
    );
    finish(args, settings, &mut report, message)
}

/// What moving from `current` to `target` fixes, by the cached database.
fn fixes(settings: &Settings, current: &Version, target: &Version) -> Option<Vec<String>> {
    let cache = settings
        .store
        .vulndb_cache(&super::audit::database_url(settings));
    crate::vulndb::cached(&cache).map(|db| crate::audit::fixed_by(current, target, &db.entries))
}

/// `fixes 2 known vulnerabilities (GO-…, GO-…)`, when it fixes any.
fn fixes_text(report: &Report) -> Option<String> {
    match report.fixes.as_deref() {
        None | Some([]) => None,
        Some(ids) => Some(format!(
            "fixes {} known {} ({})",
            ids.len(),
            if ids.len() == 1 {
                "vulnerability"
            } else {
                "vulnerabilities"
            },
            ids.join(", ")
        )),
    }
}

fn finish(
    args: &Args,
    settings: &Settings,
    report: &mut Report,
    message: String,
) -> Result<(), Error> {
    report.changed = report.outcome == Outcome::Switched;
    report.seconds = report.start.elapsed().as_secs_f64();
    if args.json {
        super::print_json(report);
    } else if report.outcome == Outcome::Planned {
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
    if let Some(fixes) = fixes_text(report) {
        out.push_str(&format!("  {fixes}\n"));
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
