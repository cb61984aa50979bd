//! `gov doctor [--json]`: exit 1 when a check fails.

use serde::Serialize;

use crate::doctor::{self, Check, Status};
use crate::error::Error;
use crate::settings::Settings;
use crate::ui;

#[derive(Serialize)]
struct Report<'a> {
    ok: bool,
    checks: &'a [Check],
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  gov doctor --json | jq '.checks[] | select(.status != \"ok\")'")]
pub struct Args {
    /// Print JSON: ok, and each check's name, status, detail and fix
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let checks = doctor::run(&doctor::Inputs {
        store: &settings.store,
        ctx: &settings.ctx,
        exe: settings.exe()?,
    });
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if args.json {
        super::print_json(&Report {
            ok: failed == 0,
            checks: &checks,
        });
    } else {
        for c in &checks {
            let label = match c.status {
                Status::Ok => "ok  ",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            println!("{label} {:<13} {}", c.name, ui::escape(&c.detail));
            if let Some(fix) = c.fix.as_ref().filter(|_| c.status != Status::Ok) {
                println!("     {:<13} fix: {}", "", ui::escape(fix));
            }
        }
    }
    if failed > 0 {
        return Err(Error::failed(
            format!("gov doctor found {failed} problem(s)"),
            "apply the fixes above, then run `gov doctor` again".to_string(),
        ));
    }
    Ok(())
}
