#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs every check and test:
# formatting, lints, TypeScript bindings drift, Rust unit and integration
# tests, front-end checks and tests, the Debian package, and the desktop
# end-to-end tests under Xvfb through tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step prints the minutes since the start, so a slow run (CI has 90
# minutes on 2 cores, also from an empty cache) shows where its time went.
start=$(date +%s)
step() { echo; echo "==> [$(( ($(date +%s) - start) / 60 )) min] $*"; }

step "dependencies (apt, npm, tauri-driver, s3s-fs, SeaweedFS)"
scripts/deps.sh
export PATH="${CARGO_INSTALL_ROOT:-$HOME/.cargo}/bin:$PATH"

step "front end: typecheck, unit tests, build"
(cd ui && npm run check && npm test && npm run build)

step "rustfmt"
cargo fmt --all --check

# One feature set for everything (build, clippy, tests) so tauri is
# compiled once per profile: --workspace --all-targets everywhere.
step "build (all targets)"
cargo build --workspace --all-targets

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings

# The long steps run under a time limit, well above what they take (see
# each), so a hang fails the run with the step's name and output instead of
# using up CI's 90 minutes in silence (once: a test's S3 server left
# running kept the desktop tests waiting until CI stopped them).
step "Rust tests"
target_dir="${CARGO_TARGET_DIR:-$(pwd)/target}"
# End-to-end tests run the binaries this build made.
export TROVE_BIN="$target_dir/debug/trove"
# Inside a private D-Bus session with GNOME Keyring, so the desktop's
# keychain code runs against a real Secret Service.
# About 5 minutes here (a warm run of the whole script: 15).
timeout --kill-after=30 40m scripts/with-keyring.sh cargo test --workspace --all-targets

step "metadata agreement with exiftool, thumbnail parity with vipsthumbnail, on real files (Pillow's, pillow-heif's, piexif's and hachoir's test files, from PyPI)"
# Fails when a field's agreement drops below what Trove reached
# (docs/benchmarks.md has the table and what the remaining gaps are).
corpus="${TROVE_CORPUS:-$HOME/.cache/trove/corpus}"
scripts/corpus.sh "$corpus"
scripts/metadata_agreement.py "$corpus" --trove "$TROVE_BIN" \
  --min catalogued=99 --min capture=95 --min capture_exif=100 --min capture_offset=100 \
  --min capture_subsec=100 --min make=97 --min model=100 --min lens=87 --min orientation=100 \
  --min gps=100 --min size=99 --min video_catalogued=100 --min video_capture=100 --min video_size=100
# Every file of the corpus that vipsthumbnail thumbnails, Trove thumbnails.
for part in pillow pillow-heif piexif hachoir; do
  scripts/thumbnail_parity.py "$corpus/$part" --trove "$TROVE_BIN"
done

step "mutation fuzzing: real files mutated, fed to every parser (bounded, from a fixed seed)"
# No panic, hang or unbounded memory on any input (tests/fuzz/main.rs).
TROVE_FUZZ_CORPUS="$corpus" timeout --kill-after=30 20m cargo test --workspace --test fuzz -- --ignored --nocapture

step "Debian package (tauri bundle --bundles deb, from the debug build)"
# `tauri bundle` packs the app the build above made (the page of the front
# end step is inside it). `tauri build` built it again for the one package,
# whose features differ from the workspace's: six minutes here, warm.
(cd src-tauri && ../ui/node_modules/.bin/tauri bundle --debug --bundles deb --ci)

step "desktop end-to-end (tauri-driver + WebKitWebDriver under Xvfb)"
TROVE_DESKTOP_BIN="$target_dir/debug/trove-desktop" TROVE_TEST_S3_BIN="$target_dir/debug/trove-test-s3" \
  TROVE_DEB="$target_dir/debug/bundle/deb/Trove_0.1.0_amd64.deb" \
  timeout --kill-after=30 25m xvfb-run -a --server-args="-screen 0 1400x900x24" \
  scripts/with-keyring.sh node --test --test-force-exit tests/desktop/

step "done"
