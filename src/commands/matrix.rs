//! `gov matrix [REQUEST...] [-j N] [--json] [--fail-fast] -- CMD [ARGS...]`:
//! CMD once under each release, up to N at once, then a table of what
//! passed and the output of what did not (SPEC 12). Which releases, the
//! environment of each run and how runs are stopped: [`crate::matrix`].
//!
//! Exit codes: 0 when every run passed; 1 when one did not (failed, could
//! not start, or was stopped or skipped by `--fail-fast`), or when there
//! was nothing to run or a release could not be installed; 2 for bad
//! usage; 128 + the signal (130, 143, 129, 131) when SIGINT, SIGTERM,
//! SIGHUP or SIGQUIT stopped it.

use std::ffi::OsString;
use std::time::Duration;

use serde::Serialize;

use crate::commands::parse_request;
use crate::error::Error;
use crate::goroot::GoRoot;
use crate::install::{Installer, Pinned};
use crate::matrix::{self, Exit, Job, MatrixError, Options, Outcome, Run, State};
use crate::request::Request;
use crate::settings::Settings;
use crate::shell::Shell;
use crate::store::Installed;
use crate::ui;

/// Between stopping a run (SIGTERM, or the signal gov got) and SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov matrix -- go test ./...            every installed release not older than go.mod's go line
  gov matrix 1.21 1.22 -- go test ./...  these two (installed first when missing)
  gov matrix -j 1 --fail-fast -- make    one at a time, stopping at the first failure
  gov matrix --json -- go vet ./...      the results, each run's output included, as JSON

Exit code 0 when every run passed, 1 when one did not, 130/143 when interrupted.")]
pub struct Args {
    /// Releases to run under: `1.22.4`, `1.21`, `latest`; one not installed
    /// is installed first (default: every installed release not older than
    /// the current module's go line, else every installed release)
    #[arg(value_name = "REQUEST")]
    requests: Vec<String>,
    /// Runs at once (default: the number of CPUs)
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Print the results as a JSON array, every run's output included
    #[arg(long)]
    json: bool,
    /// At the first run that does not pass, stop the others (SIGTERM, then
    /// SIGKILL) and start no more
    #[arg(long)]
    fail_fast: bool,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<OsString>,
}

/// One run in `--json`.
#[derive(Serialize)]
struct JsonRun {
    version: String,
    /// `passed`, `failed`, `stopped`, `skipped` or `error` (could not start).
    status: &'static str,
    exit_code: Option<i32>,
    signal: Option<i32>,
    duration_ms: Option<u64>,
    /// Standard output and error as written, for every run that started;
    /// `null` for one that did not.
    output: Option<String>,
    /// Why it could not start.
    error: Option<String>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    // Runs of a project a killed upgrade left changed would test that.
    super::upgrade::warn_of_killed_upgrades(&settings.store, None);
    // The runs run here.
    settings.ctx.require_cwd()?;
    let releases = releases(args, settings)?;
    let (ctx, store) = (&settings.ctx, &settings.store);
    let mut jobs = Vec::new();
    for installed in &releases {
        store.check_trusted(&installed.root, None)?;
        GoRoot::new(&installed.root).check_go_runs_here(installed.version, installed.system)?;
        jobs.push(Job {
            version: installed.version,
            env: matrix::run_env(installed, store, ctx)?,
        });
    }
    let parallel = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let shown = Shell::Sh.command_line(&args.command);
    settings.say(format!(
        "running `{shown}` under Go {} ({} at a time)",
        matrix::names(&releases),
        parallel.min(jobs.len())
    ));
    let options = Options {
        parallel,
        fail_fast: args.fail_fast,
        grace: GRACE,
    };
    let progress = ui::Progress::new(settings.quiet);
    let report = matrix::run_all(&jobs, &args.command, &ctx.cwd, ctx, &options, &mut |run| {
        progress.finished(&format!("Go {}: {}", run.version, progress_line(run)))
    });
    if args.json {
        let list: Vec<JsonRun> = report.runs.iter().map(json_run).collect();
        super::print_json(&list);
    } else {
        print_table(&report.runs);
        print_failures(&report.runs, &shown, report.interrupted.is_some());
    }
    outcome(report.outcome(), &shown, args)
}

/// The releases to run under, installing first what the requests name
/// and nothing installed matches.
fn releases(args: &Args, settings: &Settings) -> Result<Vec<Installed>, Error> {
    let (ctx, store) = (&settings.ctx, &settings.store);
    let requests = args
        .requests
        .iter()
        .map(|r| parse_request(r))
        .collect::<Result<Vec<Request>, _>>()?;
    let go_line = || matrix::module_go_line(&ctx.cwd, ctx.var(crate::env_vars::GOWORK));
    let mut plan = matrix::plan(&requests, store, go_line, false)?;
    if !plan.to_install.is_empty() {
        install(&plan.to_install, settings)?;
        plan = matrix::plan(&requests, store, go_line, true)?;
    }
    for line in plan.why.lines() {
        settings.explain(line);
    }
    Ok(plan.releases)
}

/// Installs `requests` in parallel, as `gov install` does; any failure
/// stops the matrix before it runs anything.
/// The release a gov.lock here locks is installed from its archive's
/// locked digest (strictly with GOV_LOCKED=1).
fn install(requests: &[Request], settings: &Settings) -> Result<(), Error> {
    settings.check_writable()?;
    let found = crate::lock::find(&settings.ctx)?;
    let pinned = found.as_ref().and_then(|f| {
        Some(Pinned {
            lock: f.lock.as_ref()?,
            path: &f.path,
            strict: settings.ctx.is_set(crate::env_vars::GOV_LOCKED),
        })
    });
    let installer = Installer {
        progress: settings.progress(),
        verbose: settings.verbose,
        pinned,
        ..Installer::new(&settings.store, &settings.sources)
    };
    let results = installer.install_all(requests)?;
    super::install::finish(settings, results)
}

/// `passed`, `failed (exit code 1)`, `stopped (SIGTERM)`, ...
fn result_text(state: &State) -> String {
    let exit = |e: &Exit| match e {
        Exit::Code(c) => format!("exit code {c}"),
        Exit::Signal(s) => matrix::signal_name(*s),
    };
    match state {
        State::Ended(Exit::Code(0)) => "passed".into(),
        State::Ended(e) => format!("failed ({})", exit(e)),
        State::Stopped(e) => format!("stopped ({})", exit(e)),
        State::Skipped => "skipped".into(),
        State::CannotStart(why) => format!("cannot start ({why})"),
    }
}

fn duration_text(duration: Option<Duration>) -> String {
    duration.map_or("-".into(), |d| format!("{:.2}s", d.as_secs_f64()))
}

/// What the status line says when a run ends.
fn progress_line(run: &Run) -> String {
    match &run.state {
        State::CannotStart(_) => result_text(&run.state),
        state => format!("{} in {}", result_text(state), duration_text(run.duration)),
    }
}

/// The table of release, result and time, on stdout.
fn print_table(runs: &[Run]) {
    let rows: Vec<[String; 3]> = runs
        .iter()
        .map(|r| {
            [
                r.version.to_string(),
                ui::escape(&result_text(&r.state)).into_owned(),
                duration_text(r.duration),
            ]
        })
        .collect();
    let width = |col: usize, title: &str| {
        rows.iter()
            .map(|r| r[col].chars().count())
            .chain([title.len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0, "release"), width(1, "result"));
    println!("{:<w0$}  {:<w1$}  time", "release", "result");
    for [version, result, time] in rows {
        println!("{version:<w0$}  {result:<w1$}  {time}");
    }
}

/// Each failure's output, labelled with its release and the command; with
/// an interrupt, also what the stopped runs had written.
fn print_failures(runs: &[Run], shown: &str, interrupted: bool) {
    for run in runs {
        let show = match run.state {
            State::Ended(Exit::Code(0)) | State::Skipped | State::CannotStart(_) => false,
            State::Ended(_) => true,
            State::Stopped(_) => interrupted,
        };
        let Some(output) = run.output.as_deref().filter(|_| show) else {
            continue;
        };
        println!();
        println!(
            "--- Go {}: `{}` {} ---",
            run.version,
            ui::escape(shown),
            ui::escape(&result_text(&run.state))
        );
        for line in output.lines() {
            // Tabs are the output's own indentation (Go's test output).
            let line: Vec<String> = line
                .split('\t')
                .map(|part| ui::escape(part).into_owned())
                .collect();
            println!("{}", line.join("\t"));
        }
        println!("--- end of Go {} ---", run.version);
    }
}

fn json_run(run: &Run) -> JsonRun {
    let (status, exit) = match &run.state {
        State::Ended(Exit::Code(0)) => ("passed", Some(Exit::Code(0))),
        State::Ended(e) => ("failed", Some(*e)),
        State::Stopped(e) => ("stopped", Some(*e)),
        State::Skipped => ("skipped", None),
        State::CannotStart(_) => ("error", None),
    };
    JsonRun {
        version: run.version.to_string(),
        status,
        exit_code: match exit {
            Some(Exit::Code(c)) => Some(c),
            _ => None,
        },
        signal: match exit {
            Some(Exit::Signal(s)) => Some(s),
            _ => None,
        },
        duration_ms: run.duration.map(|d| d.as_millis() as u64),
        output: run.output.clone(),
        error: match &run.state {
            State::CannotStart(why) => Some(why.clone()),
            _ => None,
        },
    }
}

/// Ok when every run passed; else the error that says what did not.
fn outcome(outcome: Outcome, shown: &str, args: &Args) -> Result<(), Error> {
    let stops = |stopped: usize, skipped: usize| {
        if args.fail_fast && stopped + skipped > 0 {
            format!("; --fail-fast stopped {stopped} run(s) and skipped {skipped}")
        } else {
            String::new()
        }
    };
    Err(match outcome {
        Outcome::Passed => return Ok(()),
        Outcome::Interrupted {
            signal,
            stopped,
            skipped,
        } => Error::Interrupted {
            message: format!(
                "interrupted by {}: {stopped} run(s) stopped, {skipped} not started; the table says what finished",
                matrix::signal_name(signal)
            ),
            signal,
        },
        Outcome::CannotStart {
            versions,
            why,
            stopped,
            skipped,
        } => MatrixError::CannotStart {
            program: shown.split(' ').next().unwrap_or(shown).to_string(),
            versions,
            why,
            stops: stops(stopped, skipped),
        }
        .into(),
        Outcome::Failed {
            versions,
            total,
            stopped,
            skipped,
        } => MatrixError::Failed {
            shown: shown.to_string(),
            versions,
            total,
            stops: stops(stopped, skipped),
            json: args.json,
        }
        .into(),
    })
}
