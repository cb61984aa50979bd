# gov: shell set-up for @SHELL@ (eval "$(gov init @SHELL@)")
__gov_bin=@GOV@
@PATH_SETUP@
gov() {
  if [ "${1-}" = shell ] && [ $# -gt 1 ]; then
    local __gov_code
    __gov_code="$("$__gov_bin" shell --shell @SHELL@ "${@:2}")" || return
    eval "$__gov_code"
    __gov_hook force
  else
    "$__gov_bin" "$@"
  fi
}
# Runs before each prompt; with shims, starts gov only when the directory
# or GOV_VERSION changed since the last prompt.
__gov_hook() {
  if [ "${1-}" = force ] || [ -n "${__gov_every_prompt-}" ] || [ "$PWD" != "${__gov_pwd-}" ] || [ "${GOV_VERSION-}" != "${__gov_ver-}" ]; then
    __gov_pwd=$PWD
    __gov_ver=${GOV_VERSION-}
    eval "$("$__gov_bin" env --hook @SHELL@ @LINK_ARG@)"
  fi
}
@REGISTER_HOOK@
