//! `gov global [VERSION]`: show or set the global default.

use crate::commands::{installed_match, parse_request};
use crate::error::Error;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov global            print it
  gov global 1.22       the newest installed 1.22.x, for every directory that asks for nothing else")]
pub struct Args {
    /// An installed release or a request such as 1.22 (none: print it)
    version: Option<String>,
    /// Also keep PATH (such as /usr/local/go) a link to its Go root, swapped
    /// atomically, for tools that expect Go at a fixed path
    #[arg(long, value_name = "PATH", requires = "version")]
    link: Option<std::path::PathBuf>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let Some(value) = args.version.as_deref() else {
        return match settings.store.global() {
            Some(v) => {
                println!("{v}");
                Ok(())
            }
            None => Err(Error::failed(
                "no global default is set",
                "run `gov global 1.22.4` (see `gov list` for what is installed)".to_string(),
            )),
        };
    };
    settings.check_writable()?;
    let request = parse_request(value)?;
    let installed = installed_match(settings, &request)?;
    // A fixed path is only ever a link gov made: checked before anything changes.
    if let Some(path) = &args.link {
        check_fixed_link(path, &settings.store)?;
    }
    settings.store.set_global_linking(
        &installed,
        &format!("gov global {value}"),
        args.link.as_deref(),
    )?;
    if let Some(path) = &args.link {
        settings.say(format!(
            "`{}` -> `{}`",
            path.display(),
            installed.root.display()
        ));
    }
    settings.say(format!("global default is now Go {}", installed.version));
    Ok(())
}

/// `path` may be replaced when it is missing or a link into the store.
fn check_fixed_link(path: &std::path::Path, store: &crate::store::Store) -> Result<(), Error> {
    let what = match std::fs::symlink_metadata(path) {
        Err(_) => return Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::read_link(path) {
            Ok(target)
                if target.starts_with(store.versions_dir())
                    || store
                        .system()
                        .is_some_and(|s| target.starts_with(s.versions_dir())) =>
            {
                return Ok(())
            }
            Ok(target) => format!("a link to `{}`, which gov did not make", target.display()),
            Err(e) => e.to_string(),
        },
        Ok(meta) if meta.is_dir() => "a directory".to_string(),
        Ok(_) => "a file".to_string(),
    };
    Err(Error::failed(
        format!("refusing to replace `{}`: it is {what}", path.display()),
        format!(
            "move it away first (for example `mv {p} {p}.old`), then run the command again",
            p = path.display()
        ),
    ))
}
