//! Shell integration: the scripts `gov init` prints and the per-prompt hook
//! they call (`gov env --hook`).

use std::path::{Path, PathBuf};

use crate::env::quote;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
}

/// Where shim-free shells keep their per-shell `bin` link:
/// `$XDG_RUNTIME_DIR/gov`, else a directory of the user's in the temp dir.
pub fn link_base(runtime_dir: Option<&Path>, uid: u32) -> PathBuf {
    match runtime_dir {
        Some(dir) => dir.join("gov"),
        None => std::env::temp_dir().join(format!("gov-{uid}")),
    }
}

/// Removes the per-shell directories of shells that have exited (their
/// names are process ids). Only where `/proc` tells which processes live.
pub fn clean_dead_shells(base: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

const BASH_HOOK: &str = r#"case ";${PROMPT_COMMAND-};" in
  *";__gov_hook;"*) ;;
  *) PROMPT_COMMAND="__gov_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac"#;

const ZSH_HOOK: &str = "autoload -Uz add-zsh-hook\nadd-zsh-hook precmd __gov_hook";

/// The script `gov init SHELL` prints. With `shims`, `GOV_HOME/bin` goes
/// first on `PATH`; without, a per-shell directory whose `bin` link the
/// prompt hook repoints at the selected release.
pub fn init_script(
    shell: InitShell,
    gov: &Path,
    store: &Store,
    shims: bool,
    link_base: &Path,
) -> String {
    // bash and zsh share one script; only how the hook runs differs.
    let (template, name, register) = match shell {
        InitShell::Bash => (include_str!("posix.sh"), "bash", BASH_HOOK),
        InitShell::Zsh => (include_str!("posix.sh"), "zsh", ZSH_HOOK),
        InitShell::Fish => (include_str!("fish.fish"), "fish", ""),
    };
    let q = |p: &Path| quote(&p.display().to_string());
    let fish = shell == InitShell::Fish;
    let (path_setup, link_arg) = match (shims, fish) {
        (true, false) => (format!("export PATH={}\"${{PATH:+:$PATH}}\"", q(&store.bin_dir())), String::new()),
        (true, true) => (format!("set -gx PATH {} $PATH", q(&store.bin_dir())), String::new()),
        (false, false) => (
            format!(
                "__gov_dir={}/$$\nmkdir -p \"$__gov_dir\"\nexport PATH=\"$__gov_dir/bin${{PATH:+:$PATH}}\"",
                q(link_base)
            ),
            "--link-dir \"$__gov_dir\"".to_string(),
        ),
        (false, true) => (
            format!(
                "set -g __gov_dir {}/$fish_pid\nmkdir -p $__gov_dir\nset -gx PATH $__gov_dir/bin $PATH",
                q(link_base)
            ),
            "--link-dir $__gov_dir".to_string(),
        ),
    };
    template
        .replace("@SHELL@", name)
        .replace("@REGISTER_HOOK@", register)
        .replace("@GOV@", &q(gov))
        .replace("@PATH_SETUP@", &path_setup)
        .replace("@LINK_ARG@", &link_arg)
}

/// What the prompt hook evaluates: `GOROOT` of the selected release, or
/// its removal when none is selected.
pub fn hook_code(shell: InitShell, goroot: Option<&Path>) -> String {
    match (shell, goroot) {
        (InitShell::Fish, Some(root)) => {
            format!("set -gx GOROOT {}\n", quote(&root.display().to_string()))
        }
        (InitShell::Fish, None) => "set -e GOROOT\n".into(),
        (_, Some(root)) => format!("export GOROOT={}\n", quote(&root.display().to_string())),
        (_, None) => "unset GOROOT\n".into(),
    }
}
