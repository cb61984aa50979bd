# gov: shell set-up for fish (gov init fish | source)
set -g __gov_bin @GOV@
@PATH_SETUP@
function gov
    if test (count $argv) -gt 1; and test "$argv[1]" = shell
        set -l code ($__gov_bin shell --shell fish $argv[2..-1]); or return
        string join \n $code | source
        __gov_hook force
    else
        $__gov_bin $argv
    end
end
# Runs on `cd` and before each prompt; with shims, starts gov only when the
# directory or GOV_VERSION changed since the last prompt.
function __gov_hook --on-event fish_prompt --on-variable PWD
    if test "$argv[1]" = force; or set -q __gov_every_prompt; or test "$PWD" != "$__gov_pwd"; or test "$GOV_VERSION" != "$__gov_ver"
        set -g __gov_pwd $PWD
        set -g __gov_ver $GOV_VERSION
        $__gov_bin env --hook fish @LINK_ARG@ | source
    end
end
