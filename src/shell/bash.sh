# gov: shell set-up for bash (eval "$(gov init bash)")
__gov_bin=@GOV@
@PATH_SETUP@
gov() {
  if [ "${1-}" = shell ] && [ $# -gt 1 ]; then
    local __gov_code
    __gov_code="$("$__gov_bin" shell --shell bash "${@:2}")" || return
    eval "$__gov_code"
    __gov_hook force
  else
    "$__gov_bin" "$@"
  fi
}
# Runs before each prompt; starts gov only when the directory or
# GOV_VERSION changed since the last prompt.
__gov_hook() {
  if [ "${1-}" = force ] || [ "$PWD" != "${__gov_pwd-}" ] || [ "${GOV_VERSION-}" != "${__gov_ver-}" ]; then
    __gov_pwd=$PWD
    __gov_ver=${GOV_VERSION-}
    eval "$("$__gov_bin" env --hook bash @LINK_ARG@)"
  fi
}
case ";${PROMPT_COMMAND-};" in
  *";__gov_hook;"*) ;;
  *) PROMPT_COMMAND="__gov_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac
