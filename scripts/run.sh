#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds Trove and starts the desktop app.
# The `trove` command-line tool is built too: target/release/trove.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --run
echo "==> building the web front end"
(cd ui && npm run build)
echo "==> building the desktop app and the CLI"
cargo build --release -p trove-desktop -p trove-cli
echo "==> starting Trove (library: ${TROVE_LIBRARY:-the default, ~/.local/share/trove})"
exec target/release/trove-desktop "$@"
