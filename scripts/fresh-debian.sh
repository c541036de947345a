#!/usr/bin/env bash
# Runs the README's two commands as a new user would: on a clone of this
# repository's HEAD, inside a fresh Debian 12 root made with mmdebstrap, with
# an empty cargo, npm and apt cache. Run it before resolving any issue that
# changes set-up or dependencies: a machine that has had earlier work on it
# (this one, or CI's) can hide a missing install step.
#
#   sudo scripts/fresh-debian.sh          scripts/run.sh, then scripts/test.sh
#   sudo scripts/fresh-debian.sh run      only scripts/run.sh
#   sudo scripts/fresh-debian.sh test     only scripts/test.sh
#   KEEP=1 sudo scripts/fresh-debian.sh   keep the root afterwards (its path is printed)
#
# What the root starts with is what the guide promises a fresh machine:
# Debian 12 (mmdebstrap's "important" set, plus git, sudo and
# ca-certificates), Rust stable through rustup and Node.js 20. Both are
# taken from this machine (the toolchain read-only by bind mount, Node's
# files copied), because neither can be fetched here; everything else comes
# from the package mirrors and registries. scripts/run.sh ends by starting
# the app, which never exits by itself: it runs against this machine's X
# display (an Xvfb started here), counts as a success once it has opened
# its library, and is then stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
what=${1:-both}
case "$what" in run | test | both) ;; *) echo "usage: $0 [run|test|both]" >&2; exit 2 ;; esac
if [[ $(id -u) -ne 0 ]]; then echo "$0: needs root (mmdebstrap, mounts, chroot)" >&2; exit 2; fi

start=$(date +%s)
stamp() { echo; echo "==> [$(( ($(date +%s) - start) / 60 )) min] $*"; }

for tool in mmdebstrap Xvfb; do
  if ! command -v "$tool" >/dev/null; then
    stamp "apt: installing what this script needs here ($tool)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap xvfb
  fi
done
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
[[ -x "$cargo_bin/cargo" && -d "$rustup_home/toolchains" ]] || { echo "$0: no rustup toolchain here" >&2; exit 2; }
node_version=$(node --version)
[[ "$node_version" == v20.* ]] || { echo "$0: want Node.js 20 here, found $node_version" >&2; exit 2; }

root=$(mktemp -d /var/tmp/trove-fresh-debian.XXXXXX)
mounts=()
xvfb_pid=""
app_pid=""
cleanup() {
  set +e
  [[ -n "$app_pid" ]] && kill -- -"$app_pid" 2>/dev/null
  [[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}"; done
  if [[ -z "${KEEP:-}" ]]; then rm -rf --one-file-system "$root"; else echo "the root is kept at $root"; fi
}
trap cleanup EXIT
mnt() { mkdir -p "${@: -1}"; mount "$@"; mounts+=("${@: -1}"); }

stamp "mmdebstrap: a fresh Debian 12 root in $root"
mmdebstrap --quiet --variant=important --include=ca-certificates,git,sudo \
  bookworm "$root" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"

stamp "Node.js $node_version and Rust stable (rustup) from this machine"
# Node itself and npm as this machine has them (npm may have been upgraded
# past the version its package installed).
mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules"
cp "$(readlink -f "$(command -v node)")" "$root/usr/local/bin/node"
cp -a "$(npm root -g)/npm" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
mnt --bind -o ro "$rustup_home" "$root/opt/rustup"
mkdir -p "$root/root/.cargo/bin"
for tool in rustup cargo rustc rustdoc cargo-clippy clippy-driver rustfmt cargo-fmt; do
  [[ -e "$cargo_bin/$tool" ]] && cp "$cargo_bin/rustup" "$root/root/.cargo/bin/$tool"
done

stamp "git: a clone of HEAD ($(git rev-parse --short HEAD))"
git clone --quiet --no-local "$repo" "$root/root/trove"

# The network as this machine has it: where it reaches the registries
# through a TLS proxy whose CA is installed here, the root trusts that CA
# too, and the variables that point tools at the system's CA bundle (Node
# and pip carry their own) are passed in. A real machine needs neither.
cp /etc/resolv.conf "$root/etc/resolv.conf"
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
root_env=(HOME=/root USER=root LANG=C.UTF-8 TERM=dumb
  PATH=/root/.cargo/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
  RUSTUP_HOME=/opt/rustup CARGO_HOME=/root/.cargo RUSTUP_TOOLCHAIN=stable)
for v in NODE_EXTRA_CA_CERTS PIP_CERT REQUESTS_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE GIT_SSL_CAINFO \
  http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY; do
  [[ -n "${!v:-}" ]] && root_env+=("$v=${!v}")
done
mnt -t proc proc "$root/proc"
mnt --rbind /sys "$root/sys"
mnt --rbind /dev "$root/dev"
mnt -t tmpfs -o size=4g tmpfs "$root/dev/shm"
mnt -t tmpfs tmpfs "$root/tmp"

in_root() { chroot "$root" /usr/bin/env -i "${root_env[@]}" "$@"; }

if [[ "$what" != test ]]; then
  stamp "scripts/run.sh (until the app has opened its library)"
  display=:$((90 + RANDOM % 9))
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp &
  xvfb_pid=$!
  mnt --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
  setsid chroot "$root" /usr/bin/env -i "${root_env[@]}" DISPLAY="$display" TROVE_LIBRARY=/root/trove-library \
    bash -c 'cd /root/trove && exec scripts/run.sh' &
  app_pid=$!
  while [[ ! -e "$root/root/trove-library/catalog.db" ]]; do
    if ! kill -0 "$app_pid" 2>/dev/null; then
      wait "$app_pid" || true
      echo "FAILED: scripts/run.sh ended before the app opened its library" >&2
      exit 1
    fi
    sleep 5
  done
  sleep 10
  kill -0 "$app_pid" 2>/dev/null || { echo "FAILED: the app exited after opening its library" >&2; exit 1; }
  kill -- -"$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
  stamp "scripts/run.sh: the app started and opened its library"
fi

if [[ "$what" != run ]]; then
  stamp "scripts/test.sh (as .ci/run calls it, from an empty cache)"
  in_root bash -c 'cd /root/trove && CI=true .ci/run'
  stamp "scripts/test.sh passed"
fi
stamp "done in $(( ($(date +%s) - start) / 60 )) minutes"
