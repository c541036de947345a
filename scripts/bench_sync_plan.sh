#!/usr/bin/env bash
# A sync with nothing to send, at N assets: builds a library of N small
# files (trove-make-tree), syncs it to a folder target once, then times
# three more syncs. Needs release builds:
#   cargo build --release -p trove-cli -p trove-testkit
#   scripts/bench_sync_plan.sh 100000 [WORK_DIR]
set -euo pipefail
n="${1:?usage: scripts/bench_sync_plan.sh N [WORK_DIR]}"
work="${2:-/tmp/trove-bench-sync-$n}"
bin="$(cd "$(dirname "$0")/.." && pwd)/target/release"
rm -rf "$work"
mkdir -p "$work/backup"
"$bin/trove-make-tree" "$work/tree" "$n" 0.0005 > /dev/null
/usr/bin/time -f "add: %e s" "$bin/trove" --library "$work/lib" add --kinds all "$work/tree" --json > /dev/null
"$bin/trove" --library "$work/lib" target set "file://$work/backup" --json > /dev/null
/usr/bin/time -f "first sync: %e s, peak RSS %M KB" "$bin/trove" --library "$work/lib" sync --json > "$work/first.json"
grep -E '"uploaded"' "$work/first.json"
for i in 1 2 3; do
  /usr/bin/time -f "sync with nothing to send: %e s (user %U s, sys %S s), peak RSS %M KB" \
    "$bin/trove" --library "$work/lib" sync --json > /dev/null
done
