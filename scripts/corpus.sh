#!/usr/bin/env bash
# A public corpus of real image files, for checking Trove's metadata
# against exiftool (issue 26; see scripts/metadata_agreement.py).
#
#   scripts/corpus.sh [DIR] [--with-debian-samples]
#
# DIR defaults to $HOME/.cache/trove/corpus. The corpus is the test images
# of three source distributions on PyPI, each pinned to the version below
# and its sha256 checked against the one PyPI publishes:
#   - Pillow: Tests/images/, 1,037 files from cameras, phones, scanners and
#     editors, many odd or broken on purpose (malformed EXIF, IFDs after
#     the image data, every TIFF layout, PNG eXIf, WebP EXIF, MPO, JPEG
#     2000, BMP variants; no HEIC or camera raw);
#   - pillow-heif: tests/images/, HEIF/HEIC/AVIF from phones and cameras
#     (Nokia, Canon HIF, Apple spatial photos), 8 to 12 bits, with EXIF,
#     XMP and IPTC, thumbnails that disagree with their image, and broken
#     ones;
#   - piexif: tests/images/, JPEGs from Canon, Casio, Olympus, Panasonic,
#     Pentax, Ricoh, Sigma and Sony cameras;
#   - hachoir: tests/files/, 108 files of every kind: a Canon CR2, camera
#     JPEGs with GPS, Panasonic AVCHD (MTS), Pentax QuickTime, MP4, AVI,
#     WMV, FLV, MKV, sound files, and programs, archives, disk images and
#     documents that must not become assets.
#
# Layout: DIR/pillow/, DIR/pillow-heif/, DIR/piexif/, DIR/hachoir/ (the files,
# subfolders kept), DIR/dl/ (the sdists and PyPI's JSON, kept so a rebuild
# needs no download), DIR/debian/.
#
# --with-debian-samples also copies camera photos that installed Debian
# packages ship under /usr/share/doc and /usr/share/*/examples (only files
# whose EXIF names a camera make, so icons and diagrams stay out). Off by
# default, so the corpus is the same on every machine.
#
# Idempotent: a stamp file DIR/.built-VERSIONS marks a finished
# build, and a second run only prints the file count. Needs curl, python3
# and tar.
set -euo pipefail

PILLOW_VERSION=11.0.0
PILLOW_HEIF_VERSION=1.9.0
PIEXIF_VERSION=1.1.3
HACHOIR_VERSION=3.4.0
VERSIONS="pillow-$PILLOW_VERSION+heif-$PILLOW_HEIF_VERSION+piexif-$PIEXIF_VERSION+hachoir-$HACHOIR_VERSION"

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

stamp="$dir/.built-$VERSIONS"
if [[ $debian -eq 1 ]]; then stamp="$stamp+debian"; fi

count_files() {
  find "$dir/pillow" "$dir/pillow-heif" "$dir/piexif" "$dir/hachoir" "$dir/debian" -type f 2>/dev/null | wc -l
}

if [[ -f "$stamp" ]]; then
  echo "corpus already built in $dir ($VERSIONS): $(count_files) files"
  exit 0
fi

# fetch NAME VERSION SUBDIR DEST: SUBDIR of the sdist of NAME==VERSION on
# PyPI, extracted into DIR/DEST (subfolders kept).
#
# 1. Find the sdist and its sha256 in PyPI's JSON. The per-release URL
# (/pypi/NAME/VERSION/json) is tried first; some mirrors only serve the
# project-wide one, whose "releases" map has every version. The file's URL
# may be relative to the JSON's (mirrors rewrite it), so it is resolved
# against the URL the JSON came from.
# 2. Download (unless a verified copy is already there) and check the hash.
# 3. Extract only SUBDIR, into a temporary folder then renamed, so that a
# run cut short never leaves a half-filled corpus that looks complete.
dl="$dir/dl"
mkdir -p "$dl"
fetch() {
  local name="$1" version="$2" subdir="$3" dest="$4"
  local meta="$dl/$name.json" meta_url="" url
  for url in "https://pypi.org/pypi/$name/$version/json" "https://pypi.org/pypi/$name/json"; do
    if curl -fsL --retry 3 -o "$meta" "$url"; then meta_url="$url"; break; fi
  done
  if [[ -z "$meta_url" ]]; then
    echo "could not read $name's release data from PyPI" >&2
    exit 1
  fi
  local sdist_url="" sdist_sha="" sdist_name=""
  read -r sdist_url sdist_sha sdist_name < <(python3 - "$meta" "$meta_url" "$version" <<'PY'
import json, sys
from urllib.parse import urljoin

path, base, version = sys.argv[1:4]
data = json.load(open(path))
# The per-release JSON lists its files under "urls"; the project JSON
# under "releases"[version].
files = data.get("releases", {}).get(version) or data.get("urls") or []
for f in files:
    if f["packagetype"] == "sdist" and f["filename"].endswith((".tar.gz", ".zip")):
        print(urljoin(base, f["url"]), f["digests"]["sha256"], f["filename"])
        break
PY
  )
  if [[ -z "$sdist_url" ]]; then
    echo "no sdist for $name $version in PyPI's answer" >&2
    exit 1
  fi
  local sdist="$dl/$sdist_name"
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
  local tmp="$dir/.$dest.tmp"
  rm -rf "$tmp" "${dir:?}/$dest"
  mkdir -p "$tmp"
  python3 - "$sdist" "$subdir" "$tmp" <<'PY'
import os, shutil, sys, tarfile, zipfile

archive, subdir, out = sys.argv[1:4]
# The archive's top folder (NAME-VERSION/) comes first in every member.
def place(member: str):
    parts = member.split("/", 1)
    if len(parts) < 2 or not parts[1].startswith(subdir + "/"):
        return None
    rel = parts[1][len(subdir) + 1:]
    if not rel or rel.endswith("/") or ".." in rel.split("/"):
        return None
    return os.path.join(out, rel)

if archive.endswith(".zip"):
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            dest = place(info.filename)
            if dest and not info.is_dir():
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with z.open(info) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst)
else:
    with tarfile.open(archive) as t:
        for m in t.getmembers():
            dest = place(m.name)
            if dest and m.isfile():
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with t.extractfile(m) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst)
PY
  mv "$tmp" "$dir/$dest"
}

fetch pillow "$PILLOW_VERSION" Tests/images pillow
fetch pillow-heif "$PILLOW_HEIF_VERSION" tests/images pillow-heif
fetch piexif "$PIEXIF_VERSION" tests/images piexif
fetch hachoir "$HACHOIR_VERSION" tests/files hachoir

# A stamp of the other kind of build (with or without Debian samples) and
# the samples of an earlier build no longer describe the folder.
rm -rf "$dir/debian"
rm -f "$dir"/.built-*

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
echo "corpus built in $dir ($VERSIONS): $(count_files) files"
