#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked GNOME
# Keyring (its files in a temporary folder): a real Secret Service, so the
# desktop's keychain code is tested against the real thing. scripts/test.sh
# uses it; scripts/deps.sh installs gnome-keyring.
set -euo pipefail
keyrings=$(mktemp -d)
trap 'rm -rf "$keyrings"' EXIT
export TROVE_TEST_KEYRINGS="$keyrings"
dbus-run-session -- bash -c '
  printf "trove-test-keyring" | XDG_DATA_HOME="$TROVE_TEST_KEYRINGS" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' bash "$@"
