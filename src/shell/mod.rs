//! Shells: one [`Shell`] type that knows how each writes a value, sets,
//! unsets and prepends to `PATH`; the scripts `gov init` prints; the code
//! the per-prompt hook (`gov env --hook`) evaluates.

use std::ffi::OsStr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::env_vars;
use crate::fsx;
use crate::store::{Store, StoreError};
use crate::toolchain_env::ToolchainEnv;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Sh,
    Bash,
    Zsh,
    Fish,
    Pwsh,
}

impl Shell {
    pub fn name(self) -> &'static str {
        match self {
            Shell::Sh => "sh",
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Pwsh => "pwsh",
        }
    }

    pub fn from_name(name: &str) -> Option<Shell> {
        [Shell::Sh, Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Pwsh]
            .into_iter()
            .find(|s| s.name() == name)
    }

    /// The shell `$SHELL` names; `sh` for anything else.
    pub fn detect(shell_var: Option<&OsStr>) -> Shell {
        shell_var
            .and_then(|s| Path::new(s).file_name())
            .and_then(|n| n.to_str())
            .and_then(Shell::from_name)
            .unwrap_or(Shell::Sh)
    }

    /// `value` as one word of this shell, taken literally.
    pub fn quote(self, value: &str) -> String {
        match self {
            Shell::Fish => format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'")),
            Shell::Pwsh => format!("'{}'", value.replace('\'', "''")),
            _ => format!("'{}'", value.replace('\'', r"'\''")),
        }
    }

    /// `value` as a word to show people, as this shell would read it:
    /// quoted only when it holds anything but letters, digits and
    /// `._/=:@%+-,`.
    pub fn word(self, value: &str) -> String {
        let plain = !value.is_empty()
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._/=:@%+-,".contains(&b));
        if plain {
            value.to_string()
        } else {
            self.quote(value)
        }
    }

    /// A command as this shell would read it, each word quoted only if
    /// needed (what gov shows of a command it ran or asks to be run).
    pub fn command_line<S: AsRef<OsStr>>(self, words: impl IntoIterator<Item = S>) -> String {
        words
            .into_iter()
            .map(|w| self.word(&w.as_ref().to_string_lossy()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The line that sets and exports `name` to `value`, quoted.
    pub fn set(self, name: &str, value: &str) -> String {
        self.set_word(name, &self.quote(value))
    }

    /// The line that sets `name` to `word`, which is already a word of
    /// this shell (quoted, or plain like a version number).
    pub fn set_word(self, name: &str, word: &str) -> String {
        match self {
            Shell::Fish => format!("set -gx {name} {word}\n"),
            Shell::Pwsh => format!("$env:{name} = {word}\n"),
            _ => format!("export {name}={word}\n"),
        }
    }

    pub fn unset(self, name: &str) -> String {
        match self {
            Shell::Fish => format!("set -e {name}\n"),
            Shell::Pwsh => format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue\n"),
            _ => format!("unset {name}\n"),
        }
    }

    /// The line that puts `dir` first on `PATH`. POSIX shells write
    /// `${PATH:+:$PATH}`: an empty `PATH` must not become `dir:`, which
    /// would mean the current directory.
    pub fn prepend_path(self, dir: &Path) -> String {
        let dir = self.quote(&dir.display().to_string());
        match self {
            Shell::Fish => format!("set -gx PATH {dir} $PATH\n"),
            // An empty PATH stays `dir`, never `dir:`.
            Shell::Pwsh => format!(
                "$env:PATH = {dir} + $(if ($env:PATH) {{ [IO.Path]::PathSeparator + $env:PATH }})\n"
            ),
            _ => format!("export PATH={dir}\"${{PATH:+:$PATH}}\"\n"),
        }
    }

    /// All of `env`, as code for this shell.
    pub fn env_code(self, env: &ToolchainEnv) -> String {
        let mut out = String::new();
        for (k, v) in &env.vars {
            out.push_str(&self.set(k, &v.to_string_lossy()));
        }
        if let Some(dir) = &env.path_prepend {
            out.push_str(&self.prepend_path(dir));
        }
        out
    }
}

/// Where shim-free shells keep their per-shell `bin` link:
/// `$XDG_RUNTIME_DIR/gov`, else `gov-<uid>` in the temp directory, with the
/// uid of the user gov runs as.
pub fn link_base(runtime_dir: Option<&Path>, uid: u32) -> PathBuf {
    match runtime_dir {
        Some(dir) => dir.join("gov"),
        None => std::env::temp_dir().join(format!("gov-{uid}")),
    }
}

/// Makes [`link_base`] a directory of the user's alone (created `0700`,
/// never through a link), or refuses: in a shared temp directory another
/// user could have made it first and would then choose this shell's `go`.
pub fn prepare_link_base(runtime_dir: Option<&Path>) -> Result<PathBuf, StoreError> {
    // A runtime directory that is not the user's own is not used.
    let runtime = runtime_dir.filter(|d| matches!(fsx::trust(d), Ok(None)) && d.is_dir());
    let base = link_base(runtime, fsx::my_uid());
    match fsx::private_dir(&base)? {
        Ok(()) => Ok(base),
        Err(problem) => Err(StoreError::Untrusted {
            path: base,
            problem,
        }),
    }
}

/// Before the prompt hook repoints `link_dir/bin`: the per-shell directory
/// and the base above it are the user's alone.
pub fn check_link_dir(link_dir: &Path) -> Result<(), StoreError> {
    for dir in [link_dir.parent(), Some(link_dir)].into_iter().flatten() {
        let problem = match std::fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => Some(fsx::Untrusted::Link),
            Ok(meta) if meta.uid() != fsx::my_uid() => Some(fsx::Untrusted::Owner(meta.uid())),
            Ok(meta) => fsx::check_trust(&meta).err(),
            Err(e) => return Err(fsx::with_path(e, dir).into()),
        };
        if let Some(problem) = problem {
            return Err(StoreError::Untrusted {
                path: dir.to_path_buf(),
                problem,
            });
        }
    }
    Ok(())
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
    shell: Shell,
    gov: &Path,
    store: &Store,
    shims: bool,
    link_base: &Path,
) -> String {
    // bash and zsh share one script; only how the hook runs differs.
    let (template, register) = match shell {
        Shell::Zsh => (include_str!("posix.sh"), ZSH_HOOK),
        Shell::Fish => (include_str!("fish.fish"), ""),
        _ => (include_str!("posix.sh"), BASH_HOOK),
    };
    let q = |p: &Path| shell.quote(&p.display().to_string());
    let fish = shell == Shell::Fish;
    let (path_setup, link_arg) = match (shims, fish) {
        (true, _) => (
            shell.prepend_path(&store.bin_dir()).trim_end().to_string(),
            String::new(),
        ),
        // Without shims the hook runs at every prompt (a `.go-version`
        // edited in place or `gov global` take effect at once) and keeps
        // GOROOT in step; the user's own GOROOT is kept to give back.
        (false, false) => (
            format!(
                "__gov_dir={}/$$\nmkdir -p \"$__gov_dir\"\nexport PATH=\"$__gov_dir/bin${{PATH:+:$PATH}}\"\n__gov_every_prompt=1\nif [ -z \"${{__gov_user_goroot_set+x}}\" ]; then __gov_user_goroot_set=${{GOROOT+1}}; __gov_user_goroot=${{GOROOT-}}; fi",
                q(link_base)
            ),
            "--link-dir \"$__gov_dir\"".to_string(),
        ),
        (false, true) => (
            format!(
                "set -g __gov_dir {}/$fish_pid\nmkdir -p $__gov_dir\nset -gx PATH $__gov_dir/bin $PATH\nset -g __gov_every_prompt 1\nif not set -q __gov_user_goroot_checked\n    set -g __gov_user_goroot_checked 1\n    if set -q GOROOT\n        set -g __gov_user_goroot_set 1\n        set -g __gov_user_goroot $GOROOT\n    end\nend",
                q(link_base)
            ),
            "--link-dir $__gov_dir".to_string(),
        ),
    };
    template
        .replace("@SHELL@", shell.name())
        .replace("@REGISTER_HOOK@", register)
        .replace("@GOV@", &q(gov))
        .replace("@PATH_SETUP@", &path_setup)
        .replace("@LINK_ARG@", &link_arg)
}

/// What the prompt hook evaluates. With shims, nothing about `GOROOT`: the
/// shim sets it per call, and an exported one would go stale for any other
/// `go` on PATH. Without shims, `GOROOT` follows the release whose `bin`
/// is on PATH, and goes back to the user's own value (or away) when no
/// release is selected.
pub fn hook_code(shell: Shell, env: Option<&ToolchainEnv>, shims: bool) -> String {
    if shims {
        return String::new();
    }
    match (env.and_then(|e| e.get(env_vars::GOROOT)), shell) {
        (Some(root), _) => shell.set(env_vars::GOROOT, &root.to_string_lossy()),
        (None, Shell::Fish) => "if set -q __gov_user_goroot_set; set -gx GOROOT $__gov_user_goroot; else; set -e GOROOT; end\n".into(),
        (None, _) => "if [ -n \"${__gov_user_goroot_set-}\" ]; then export GOROOT=\"$__gov_user_goroot\"; else unset GOROOT; fi\n".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(Shell::Sh.quote("/a b/c"), "'/a b/c'");
        assert_eq!(Shell::Bash.quote("it's"), r"'it'\''s'");
        assert_eq!(Shell::Sh.word("go1.22.4"), "go1.22.4");
        assert_eq!(Shell::Sh.word(""), "''");
        assert_eq!(
            Shell::Sh.command_line(["go", "test", "./...", "-run", "A B"]),
            "go test ./... -run 'A B'"
        );
        assert_eq!(Shell::Fish.quote(r"it's \"), r"'it\'s \\'");
        assert_eq!(Shell::Pwsh.quote("it's"), "'it''s'");
    }

    #[test]
    fn detects_the_shell_from_its_path() {
        assert_eq!(
            Shell::detect(Some(OsStr::new("/usr/bin/fish"))),
            Shell::Fish
        );
        assert_eq!(Shell::detect(Some(OsStr::new("/bin/dash"))), Shell::Sh);
        assert_eq!(Shell::detect(None), Shell::Sh);
    }
}
