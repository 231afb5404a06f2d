# shellcheck shell=bash
# Sourced by tests/run.sh and .ci/run. `cargo_probe_retry CMD...` runs a cargo command and, if it
# failed because cargo's rustc probe (`rustc - --print=cfg …`, run before anything is compiled)
# failed, runs it again (at most twice) with the probe cache (target*/.rustc_info.json) removed.
# On this machine the probe has been seen to fail right after `cargo install` or a test run that
# spawned cargo, reading another process's output as its input; cargo then caches the failure.
# Any other failure is returned as is.
cargo_probe_retry() {
  local log status=0
  log="$(mktemp)"
  # stderr (compiler progress, not test results) is shown once the command is done.
  "$@" 2>"$log" || status=$?
  cat "$log" >&2
  local tries=0
  while [ "$status" -ne 0 ] && [ "$tries" -lt 2 ] \
    && grep -q 'to learn about target-specific information' "$log"; do
    tries=$((tries + 1))
    echo "cargo_probe_retry: cargo's rustc probe failed; clearing its cache and retrying" >&2
    find "${CARGO_TARGET_DIR:-target}" -maxdepth 2 -name .rustc_info.json -delete 2>/dev/null || true
    status=0
    "$@" 2>"$log" || status=$?
    cat "$log" >&2
  done
  rm -f "$log"
  return "$status"
}

# The cause found for those probe failures: on this machine kind /dev/null has been seen to be a
# regular file (something deleted the device and a later `>/dev/null` created a file), so every
# `>/dev/null` appends to it and every process whose stdin is /dev/null — cargo gives rustc's
# probe `Stdio::null()` — reads that output back. `ensure_dev_null` puts the character device
# back (as root; otherwise it says what is wrong). Call it before anything else runs.
ensure_dev_null() {
  [ -c /dev/null ] && return 0
  echo "cargo-probe.sh: /dev/null is not a character device; recreating it" >&2
  local fix='rm -f /dev/null && mknod -m 666 /dev/null c 1 3'
  if [ "$(id -u)" -eq 0 ]; then sh -c "$fix"; else sudo sh -c "$fix"; fi \
    || echo "cargo-probe.sh: could not recreate /dev/null; relying on retries" >&2
}
