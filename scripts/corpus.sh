#!/usr/bin/env bash
# A public corpus of real image files, for checking Trove's metadata
# against exiftool (issue 26; see scripts/metadata_agreement.py).
#
#   scripts/corpus.sh [DIR] [--with-debian-samples]
#
# DIR defaults to $HOME/.cache/trove/corpus. The corpus is Pillow's test
# images: Tests/images/ of the Pillow source distribution on PyPI, pinned
# to the version below, 1,037 files from cameras, phones, scanners and
# editors, many of them odd or broken on purpose (malformed EXIF, IFDs
# after the image data, every TIFF layout, PNG eXIf, WebP EXIF, MPO, JPEG
# 2000, BMP variants; no HEIC or camera raw in this version). The sdist's
# sha256 is checked against the one PyPI publishes.
#
# Layout: DIR/pillow/ (the images, subfolders kept), DIR/dl/ (the sdist
# and PyPI's JSON, kept so a rebuild needs no download), DIR/debian/.
#
# --with-debian-samples also copies camera photos that installed Debian
# packages ship under /usr/share/doc and /usr/share/*/examples (only files
# whose EXIF names a camera make, so icons and diagrams stay out). Off by
# default, so the corpus is the same on every machine.
#
# Idempotent: a stamp file DIR/.built-pillow-VERSION marks a finished
# build, and a second run only prints the file count. Needs curl, python3
# and tar.
set -euo pipefail

PILLOW_VERSION=11.0.0

dir="$HOME/.cache/trove/corpus"
debian=0
for arg in "$@"; do
  case "$arg" in
    --with-debian-samples) debian=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) dir="$arg" ;;
  esac
done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

stamp="$dir/.built-pillow-$PILLOW_VERSION"
if [[ $debian -eq 1 ]]; then stamp="$stamp+debian"; fi

count_files() {
  find "$dir/pillow" "$dir/debian" -type f 2>/dev/null | wc -l
}

if [[ -f "$stamp" ]]; then
  echo "corpus already built in $dir (Pillow $PILLOW_VERSION): $(count_files) files"
  exit 0
fi

# 1. Find the sdist and its sha256 in PyPI's JSON. The per-release URL
# (/pypi/pillow/VERSION/json) is tried first; some mirrors only serve the
# project-wide one, whose "releases" map has every version. The file's URL
# may be relative to the JSON's (mirrors rewrite it), so it is resolved
# against the URL the JSON came from.
dl="$dir/dl"
mkdir -p "$dl"
meta="$dl/pillow.json"
meta_url=""
for url in "https://pypi.org/pypi/pillow/$PILLOW_VERSION/json" "https://pypi.org/pypi/pillow/json"; do
  if curl -fsL --retry 3 -o "$meta" "$url"; then meta_url="$url"; break; fi
done
if [[ -z "$meta_url" ]]; then
  echo "could not read Pillow's release data from PyPI" >&2
  exit 1
fi
read -r sdist_url sdist_sha sdist_name < <(python3 - "$meta" "$meta_url" "$PILLOW_VERSION" <<'EOF'
import json, sys
from urllib.parse import urljoin

path, base, version = sys.argv[1:4]
data = json.load(open(path))
# The per-release JSON lists its files under "urls"; the project JSON
# under "releases"[version].
files = data.get("releases", {}).get(version) or data.get("urls") or []
for f in files:
    if f["packagetype"] == "sdist" and f["filename"].endswith(".tar.gz"):
        print(urljoin(base, f["url"]), f["digests"]["sha256"], f["filename"])
        break
else:
    sys.exit(f"no sdist for Pillow {version} in PyPI's answer")
EOF
)
if [[ -z "${sdist_url:-}" ]]; then
  echo "no sdist for Pillow $PILLOW_VERSION in PyPI's answer" >&2
  exit 1
fi

# 2. Download (unless a verified copy is already there) and check the hash.
sdist="$dl/$sdist_name"
if [[ ! -f "$sdist" ]] || ! echo "$sdist_sha  $sdist" | sha256sum -c --status; then
  echo "downloading $sdist_name"
  curl -fsSL --retry 3 -o "$sdist.part" "$sdist_url"
  mv "$sdist.part" "$sdist"
fi
if ! echo "$sdist_sha  $sdist" | sha256sum -c --status; then
  echo "sha256 mismatch for $sdist (PyPI says $sdist_sha); removed" >&2
  rm -f "$sdist"
  exit 1
fi
echo "sha256 ok: $sdist_name $sdist_sha"

# 3. Extract only Tests/images/ (subfolders kept) into DIR/pillow.
# Extracting into a temporary folder and renaming it means a run cut short
# never leaves a half-filled corpus that looks complete.
top="${sdist_name%.tar.gz}"
tmp="$dir/.pillow.tmp"
rm -rf "$tmp" "$dir/pillow"
mkdir -p "$tmp"
tar -xzf "$sdist" -C "$tmp" --strip-components=3 "$top/Tests/images/"
mv "$tmp" "$dir/pillow"

# A stamp of the other kind of build (with or without Debian samples) and
# the samples of an earlier build no longer describe the folder.
rm -rf "$dir/debian"
rm -f "$dir"/.built-pillow-*

# 4. Optionally, camera photos shipped by installed Debian packages.
if [[ $debian -eq 1 ]]; then
  mkdir -p "$dir/debian"
  if command -v exiftool > /dev/null; then
    # exiftool prints the path of each file under /usr/share/doc and
    # /usr/share/*/examples that has an EXIF camera make.
    exiftool -q -q -r -fast2 -if '$EXIF:Make' -p '$Directory/$FileName' \
      -ext jpg -ext jpeg -ext tif -ext tiff -ext heic -ext dng -ext webp -ext png \
      /usr/share/doc /usr/share/*/examples 2>/dev/null |
      while IFS= read -r f; do
        # Keep the source path, flattened, so names cannot collide.
        cp -n "$f" "$dir/debian/$(echo "${f#/usr/share/}" | tr / _)"
      done || true
  else
    echo "exiftool not installed: no Debian samples copied" >&2
  fi
  echo "Debian samples: $(find "$dir/debian" -type f | wc -l) files"
fi

touch "$stamp"
echo "corpus built in $dir (Pillow $PILLOW_VERSION): $(count_files) files"
