#!/usr/bin/env bash
# Catalog snapshot and recovery at N assets (issue 27's benchmark): builds a
# library of N small files (trove-make-tree), syncs it to a target, then
# times a catalog snapshot (`trove target set` stores one), a recovery from
# the snapshot (+ newer manifests), the first search in the recovered
# library, and a recovery from the manifests alone (--manifests-only).
# Needs release builds:
#   cargo build --release -p trove-cli -p trove-testkit
#   scripts/bench_recover.sh 100000 [folder|s3] [WORK_DIR]
# `s3` starts the test SeaweedFS (trove-test-s3) on 127.0.0.1.
set -euo pipefail
n="${1:?usage: scripts/bench_recover.sh N [folder|s3] [WORK_DIR]}"
kind="${2:-folder}"
work="${3:-/tmp/trove-bench-recover-$n-$kind}"
bin="$(cd "$(dirname "$0")/.." && pwd)/target/release"
rm -rf "$work"
mkdir -p "$work/backup"
timed() { # label, command...
  local label="$1"
  shift
  /usr/bin/time -f "$label: %e s (user %U s, sys %S s), peak RSS %M KB" "$@"
}

"$bin/trove-make-tree" "$work/tree" "$n" 0.0005 > /dev/null
timed "add $n files" "$bin/trove" --library "$work/lib" add --kinds all "$work/tree" --json > /dev/null

endpoint_args=()
if [ "$kind" = s3 ]; then
  mkfifo "$work/s3-stdin"
  "$bin/trove-test-s3" < "$work/s3-stdin" > "$work/s3.json" &
  exec 3> "$work/s3-stdin" # the server stops when this closes
  for _ in $(seq 1 600); do [ -s "$work/s3.json" ] && break; sleep 0.1; done
  read -r endpoint bucket access secret < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["endpoint"], s["bucket"], s["access_key"], s["secret_key"])' "$work/s3.json")
  export AWS_ACCESS_KEY_ID="$access" AWS_SECRET_ACCESS_KEY="$secret" AWS_REGION=us-east-1
  url="s3://$bucket/bench-recover-$n-$$"
  endpoint_args=(--endpoint "$endpoint")
else
  url="file://$work/backup"
fi

"$bin/trove" --library "$work/lib" target set "$url" "${endpoint_args[@]}" --no-snapshot --json > /dev/null
timed "first sync" "$bin/trove" --library "$work/lib" sync --json > "$work/sync.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("  uploaded", r["uploaded"], "objects,", r["pending"], "pending")' "$work/sync.json"
echo "catalog: $(du -k "$work/lib/catalog.db" | cut -f1) KB"
for i in 1 2 3; do
  timed "snapshot (trove target set, run $i)" \
    "$bin/trove" --library "$work/lib" target set "$url" "${endpoint_args[@]}" --json > "$work/snapshot.json"
done
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["snapshot"]; print("  snapshot", s["key"], s["size"] // 1024, "KB")' "$work/snapshot.json"

query="$(basename "$(find "$work/tree" -type f | head -1)")"
for i in 1 2 3; do
  rm -rf "$work/recovered-$i"
  timed "recover from the snapshot (run $i)" \
    "$bin/trove" --library "$work/recovered-$i" recover --from "$url" "${endpoint_args[@]}" --proxies none --json > "$work/recover-$i.json"
  timed "  then the first search" "$bin/trove" --library "$work/recovered-$i" search "$query" --json > /dev/null
done
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("  assets", r["assets"], "manifests applied", r["manifests_applied"], "originals in target", r["originals_in_target"], "missing", len(r["originals_missing"]))' "$work/recover-1.json"

for i in 1 2 3; do
  rm -rf "$work/from-manifests-$i"
  timed "recover from the manifests alone (run $i)" \
    "$bin/trove" --library "$work/from-manifests-$i" recover --from "$url" "${endpoint_args[@]}" --manifests-only --proxies none --json > "$work/manifests-$i.json"
done
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("  assets", r["assets"], "from manifests", r["assets_from_manifests"], "unreadable", len(r["manifests_unreadable"]))' "$work/manifests-1.json"
