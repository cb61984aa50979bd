//! `gov completions SHELL`: a completion script generated from the flags,
//! plus, for bash, zsh and fish, release versions where a version is
//! expected (installed ones from `gov list --bare`, available ones from the
//! cached index for `install`, never from the network).

use clap_complete::Shell;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov completions bash > ~/.local/share/bash-completion/completions/gov
  source <(gov completions zsh)      in ~/.zshrc, after compinit
  gov completions fish > ~/.config/fish/completions/gov.fish")]
pub struct Args {
    /// The shell to complete in
    shell: Shell,
}

const BASH_VERSIONS: &str = r#"
_gov_with_versions() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    if [ "$COMP_CWORD" -eq 2 ]; then
        case "${COMP_WORDS[1]}" in
            global|local|shell|run|uninstall)
                COMPREPLY=($(compgen -W "$(command gov list --bare 2>/dev/null)" -- "$cur"))
                return ;;
            install)
                COMPREPLY=($(compgen -W "$(GOV_OFFLINE=1 command gov list-remote 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
                return ;;
        esac
    fi
    _gov "$@"
}
complete -F _gov_with_versions -o bashdefault -o default gov
"#;

const FISH_VERSIONS: &str = r#"
complete -c gov -n '__fish_seen_subcommand_from global local shell run uninstall' -f -a '(command gov list --bare 2>/dev/null)'
complete -c gov -n '__fish_seen_subcommand_from install' -f -a '(GOV_OFFLINE=1 command gov list-remote 2>/dev/null | string split -f1 " ")'
"#;

const ZSH_VERSIONS: &str = r#"
_gov_with_versions() {
    if (( CURRENT == 3 )); then
        case ${words[2]} in
            global|local|shell|run|uninstall)
                compadd -- ${(f)"$(command gov list --bare 2>/dev/null)"}
                return ;;
            install)
                compadd -- ${${(f)"$(GOV_OFFLINE=1 command gov list-remote 2>/dev/null)"}%% *}
                return ;;
        esac
    fi
    _gov "$@"
}
compdef _gov_with_versions gov
"#;

/// Prints the script for `args.shell`, generated from `cli`.
pub fn run(args: &Args, mut cli: clap::Command) {
    let shell = args.shell;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cli, "gov", &mut out);
    let mut text = String::from_utf8(out).expect("completion scripts are UTF-8");
    match shell {
        Shell::Bash => text.push_str(BASH_VERSIONS),
        Shell::Fish => text.push_str(FISH_VERSIONS),
        Shell::Zsh => text.push_str(ZSH_VERSIONS),
        _ => {}
    }
    print!("{text}");
}
