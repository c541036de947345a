#!/usr/bin/env python3
"""Exiv2 against exiftool on the metadata corpus, as Trove is measured (issue 26).

    scripts/exif_library_compare.py CORPUS_DIR [--jobs N]

Why this exists: the issue asks for the EXIF library to be chosen by
measured agreement and speed. Trove reads EXIF in-process with the pure
Rust kamadak-exif plus its own readers around it (HEIF's meta box,
BigTIFF, WebP's and ImageMagick's odd EXIF places, IFD pointers typed
IFD); the alternative named is Exiv2 (what digiKam, darktable and Shotwell
read with, through gexiv2). This runs Debian's `exiv2` tool (package
exiv2, not a dependency of Trove; install it to run this) over the same
files `metadata_agreement.py` reads, shapes its answers like Trove's, and
scores them with the same comparison against `exiftool -n`, so the two
tables can be put side by side. Exiv2's EXIF only (not its XMP or IPTC),
as the `capture_exif` row and the EXIF-held fields compare.

Time: the wall time of one `exiv2` process per file (what a
subprocess-per-file design would cost), printed with the table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metadata_agreement as ma  # noqa: E402

KEYS = [
    "Exif.Photo.DateTimeOriginal",
    "Exif.Photo.DateTimeDigitized",
    "Exif.Photo.OffsetTimeOriginal",
    "Exif.Photo.OffsetTimeDigitized",
    "Exif.Image.Make",
    "Exif.Image.Model",
    "Exif.Photo.LensModel",
    "Exif.Image.Orientation",
    "Exif.GPSInfo.GPSLatitude",
    "Exif.GPSInfo.GPSLatitudeRef",
    "Exif.GPSInfo.GPSLongitude",
    "Exif.GPSInfo.GPSLongitudeRef",
]


def rationals(text: str) -> list[float] | None:
    """'40/1 26/1 4649/100' as numbers."""
    out = []
    for part in text.split():
        num, _, den = part.partition("/")
        try:
            out.append(float(num) / float(den or 1))
        except (ValueError, ZeroDivisionError):
            return None
    return out


def exiv2_read(path: str) -> dict:
    """What exiv2 says of one file, shaped like Trove's `trove info --json`."""
    args = ["exiv2", "-q", "-Pkv"] + [a for k in KEYS for a in ("-K", k)] + ["--", path]
    out = subprocess.run(args, capture_output=True, text=True, errors="replace", check=False, timeout=60).stdout
    tags: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        if key and key not in tags:
            tags[key] = value.strip()
    summary = subprocess.run(
        ["exiv2", "-q", "-ps", "--", path], capture_output=True, text=True, errors="replace", check=False, timeout=60
    ).stdout
    meta: dict = {}
    for key, field in (("Exif.Image.Make", "camera_make"), ("Exif.Image.Model", "camera_model"),
                       ("Exif.Photo.LensModel", "lens")):
        if tags.get(key):
            meta[field] = tags[key]
    orientation = None
    if tags.get("Exif.Image.Orientation", "").isdigit():
        orientation = int(tags["Exif.Image.Orientation"])
        meta["orientation"] = orientation
    lat, lon = rationals(tags.get("Exif.GPSInfo.GPSLatitude", "")), rationals(tags.get("Exif.GPSInfo.GPSLongitude", ""))
    if lat and lon and len(lat) == 3 and len(lon) == 3:
        la = lat[0] + lat[1] / 60 + lat[2] / 3600
        lo = lon[0] + lon[1] / 60 + lon[2] / 3600
        if tags.get("Exif.GPSInfo.GPSLatitudeRef", "N").startswith("S"):
            la = -la
        if tags.get("Exif.GPSInfo.GPSLongitudeRef", "E").startswith("W"):
            lo = -lo
        meta["gps"] = {"lat": la, "lon": lo}
    asset: dict = {"kind": "image", "metadata": meta, "capture": {"source": "file_mtime"}}
    for key, offset_key in (("Exif.Photo.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal"),
                            ("Exif.Photo.DateTimeDigitized", "Exif.Photo.OffsetTimeDigitized")):
        date = ma.parse_date(tags.get(key), None, tags.get(offset_key))
        if date:
            y, rest = date.wall.split(" ", 1)
            asset["capture"] = {"source": "exif", "local": f"{y.replace(':', '-')} {rest}",
                                "offset_minutes": date.offset_minutes}
            break
    m = re.search(r"^Image size\s*:\s*(\d+)\s*x\s*(\d+)", summary, re.M)
    if m and int(m.group(1)) > 0 and int(m.group(2)) > 0:
        w, h = int(m.group(1)), int(m.group(2))
        asset["width"], asset["height"] = (h, w) if orientation and orientation >= 5 else (w, h)
    return asset


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if not shutil.which("exiv2"):
        print("exiv2 not found (Debian: apt install exiv2)", file=sys.stderr)
        return 2
    corpus = args.corpus.resolve()
    exif = ma.run_exiftool(ma.corpus_folders(corpus))
    images = sorted(p for p, t in exif.items() if str(ma.tag(t, "MIMEType") or "").startswith("image/"))
    started = time.monotonic()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        read = dict(zip(images, pool.map(exiv2_read, images)))
    took = time.monotonic() - started
    results = ma.compare({p: exif[p] for p in images}, read, {}, None)
    version = subprocess.run(["exiv2", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    print(f"{version}: {len(images)} image files in {took:.1f} s ({args.jobs} at a time, "
          f"{1000 * took * args.jobs / max(1, len(images)):.1f} ms a file)\n")
    rows = ["capture_exif", "capture_offset", "make", "model", "lens", "orientation", "gps", "size"]
    print("| field | files with a value (exiftool) | Exiv2 agrees | agreement % |\n|---|---|---|---|")
    for key, label in ma.FIELDS:
        if key in rows:
            r = results[key]
            pct = r.percent()
            print(f"| {label} (`{key}`) | {r.compared} | {r.agreed} | {'-' if pct is None else f'{pct:.1f}'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
