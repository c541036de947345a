#!/usr/bin/env python3
"""How often Trove's metadata agrees with exiftool's, field by field (issue 26).

    scripts/metadata_agreement.py CORPUS_DIR [--trove PATH] [--min FIELD=PCT ...]
                                  [--json] [--verbose] [--examples N] [--keep-library]

CORPUS_DIR is any folder of files; scripts/corpus.sh builds a public one
(Pillow's test images). For a folder built by corpus.sh (it holds a
.built-* stamp) only its image folders are used, not its download
cache dl/.

What it does:
  1. Runs exiftool once over the corpus (`exiftool -n -j -G1 -r`, the tags
     listed in EXIFTOOL_TAGS) and keeps the files it reads as images
     (MIME type image/*) and as videos (video/*).
  2. Imports the corpus into a throwaway Trove library in a temporary
     folder (`trove --library LIB add DIR --json`, then `trove thumbs`:
     image metadata is read by the scan, a video's by ffprobe as its
     proxies are made) and reads every asset back with `trove ls --json` and
     `trove info ID --json`, which lists the files of each asset, so each
     file maps back to its asset. Sub-second capture times are not in the
     CLI's JSON (it prints whole seconds), so they are read from the
     throwaway library's catalog, read-only.
  3. For each field, over the files where exiftool has a usable value,
     counts how many Trove agrees with, and prints a markdown table (or JSON
     with --json). --verbose adds the first disagreements of each field
     (path, exiftool's value, Trove's value).

--min FIELD=PCT (repeatable; FIELD is a row key: catalogued, capture,
capture_exif, capture_offset, capture_subsec, make, model, lens,
orientation, gps, size; and for the files exiftool reads as video,
video_catalogued, video_capture, video_make, video_model, video_gps,
video_size) makes it exit 1 when that field's agreement is
below PCT, for use as a regression test. A field with no files to compare
passes.

The trove binary is --trove, else $TROVE_BIN, else target/debug/trove of
this checkout. Python 3.11 standard library only; needs exiftool.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The tags asked of exiftool. -n gives numbers rather than printed values
# (decimal GPS degrees with their sign, orientation 1-8, dates as written).
# -G1 prefixes each tag with the group it came from (ExifIFD, IFD0, XMP-exif,
# PNG, ...), which names where a value was found when reporting a
# disagreement. Without -a exiftool returns one value per tag: the one it
# ranks first (EXIF before XMP, the main image before a thumbnail).
#
# Pixel size: the composite ImageSize, not the bare ImageWidth/ImageHeight.
# Those two are ambiguous in files with EXIF: a JPEG or PNG may carry an
# IFD0 ImageWidth written by an editor for another rendition, while
# ImageSize is built from the size of the image data itself (the JPEG frame
# header, PNG IHDR, GIF screen, BMP header, WebP VP8/VP8L/VP8X chunk, JPEG
# 2000 ihdr, PSD header) and, for TIFF, from IFD0 (the first, full-size
# page). For camera raw files exiftool's ImageSize is the full sensor size,
# which differs from the cropped size a converter shows; the Pillow corpus
# has none. Vector formats (EPS, PostScript, PDF, SVG, WMF, EMF) are left out
# of the size row: exiftool's size there comes from a bounding box in
# points, not pixels.
EXIFTOOL_TAGS = [
    "DateTimeOriginal",
    "CreateDate",
    "SubSecTimeOriginal",
    "SubSecTimeDigitized",
    "OffsetTimeOriginal",
    "OffsetTimeDigitized",
    "Make",
    "Model",
    "LensModel",
    "Orientation",
    "GPSLatitude",
    "GPSLongitude",
    "GPSCoordinates",
    "ImageWidth",
    "ImageHeight",
    "ImageSize",
    "Rotation",
    "FileType",
    "MIMEType",
]
VECTOR_TYPES = {"EPS", "PS", "PDF", "SVG", "WMF", "EMF", "AI"}
# HEIF-based types, which decoders turn by their own `irot` (exiftool's
# QuickTime:Rotation); their EXIF orientation only repeats it, and says
# nothing of what a decoder shows.
HEIF_TYPES = {"HEIC", "HEIF", "AVIF"}

# exiftool's groups (-G1) for EXIF proper: the TIFF-structured block of a
# JPEG APP1, a TIFF's own IFDs, a PNG eXIf or WebP EXIF chunk, HEIF's Exif
# item. A date from anywhere else (XMP, IPTC, FlashPix) is counted in the
# capture row but not in capture_exif, which is what Trove reads today.
EXIF_GROUPS = {"IFD0", "IFD1", "ExifIFD", "SubIFD", "GPS"}

# GPS coordinates agree when both are within this many degrees (about 1 m).
GPS_TOLERANCE_DEG = 1e-5

# Rows of the table, in order: key (for --min), label.
FIELDS = [
    ("catalogued", "catalogued as an image"),
    ("capture", "capture time (wall clock)"),
    ("capture_exif", "capture time, EXIF dates only"),
    ("capture_offset", "capture time offset"),
    ("capture_subsec", "capture time sub-seconds"),
    ("make", "camera make"),
    ("model", "camera model"),
    ("lens", "lens"),
    ("orientation", "orientation"),
    ("gps", "GPS position"),
    ("size", "pixel size (as shown)"),
    ("video_catalogued", "video: catalogued as a video"),
    ("video_capture", "video: capture time (wall clock, as stored)"),
    ("video_make", "video: camera make"),
    ("video_model", "video: camera model"),
    ("video_gps", "video: GPS position"),
    ("video_size", "video: frame size (as shown)"),
]


@dataclass
class FieldResult:
    """Agreement of one field: files compared and the disagreements."""

    compared: int = 0
    agreed: int = 0
    disagreements: list[tuple[str, str, str]] = field(default_factory=list)

    def check(self, path: str, expected, got, equal: bool) -> None:
        self.compared += 1
        if equal:
            self.agreed += 1
        else:
            self.disagreements.append((path, show(expected), show(got)))

    def percent(self) -> float | None:
        return 100.0 * self.agreed / self.compared if self.compared else None


def show(v) -> str:
    """A value as text for a report: None as 'none', strings as they are."""
    if v is None:
        return "none"
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False)


# ---------------------------------------------------------------- exiftool


def run_exiftool(folders: list[Path]) -> dict[str, dict]:
    """exiftool's answer for every file it reads under the folders, keyed
    by absolute path. Each value maps a bare tag name to (group, value)."""
    cmd = ["exiftool", "-n", "-j", "-G1", "-r", "-q", "-q"]
    cmd += [f"-{t}" for t in EXIFTOOL_TAGS]
    cmd += [str(f) for f in folders]
    # exiftool exits 1 when some file could not be read (a few corpus files
    # are broken on purpose); its JSON still has every other file.
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if not out.stdout.strip():
        sys.exit(f"exiftool printed nothing (exit {out.returncode}): {out.stderr.strip()[:500]}")
    files = {}
    for entry in json.loads(out.stdout):
        tags = {}
        for key, value in entry.items():
            if key == "SourceFile":
                continue
            group, _, name = key.rpartition(":")
            tags[name] = (group, value)
        files[os.path.abspath(entry["SourceFile"])] = tags
    return files


def tag(tags: dict, name: str):
    """The value of one exiftool tag, or None."""
    got = tags.get(name)
    return got[1] if got else None


def tag_with_group(tags: dict, name: str) -> str:
    """'value (Group:Tag)' for reports."""
    group, value = tags[name]
    return f"{value} ({group}:{name})"


# Dates as exiftool prints them with -n: "YYYY:MM:DD HH:MM:SS", optionally
# with fractional seconds and a time zone ("+02:00", "-0700" or "Z"), as
# EXIF and XMP write them. Other shapes (PostScript's "Wed Nov 20 00:23:10
# 2013", "2/7/2015", an all-zero EXIF date) are not usable dates and count
# as no value.
DATE_RE = re.compile(
    r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass
class ExifDate:
    wall: str  # "YYYY:MM:DD HH:MM:SS"
    subsec_ms: int | None
    offset_minutes: int | None


def parse_offset(text: str) -> int | None:
    """'+02:00', '-0700' or 'Z' as minutes east of UTC."""
    text = text.strip()
    if text == "Z":
        return 0
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return -minutes if m.group(1) == "-" else minutes


def subsec_to_ms(digits: str) -> int | None:
    """EXIF SubSecTime digits ("046" is 46 ms, "24" is 240 ms) as ms."""
    digits = digits.strip()
    if not digits.isdigit():
        return None
    return int((digits + "000")[:3])


def parse_date(value, subsec, offset) -> ExifDate | None:
    """One exiftool date tag with its SubSecTime and OffsetTime companions."""
    if value is None:
        return None
    m = DATE_RE.match(str(value).strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    try:
        dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None  # 0000:00:00 00:00:00 and other impossible dates
    ms = subsec_to_ms(m.group(7)) if m.group(7) else None
    if ms is None and subsec is not None:
        # With -n exiftool prints "24" as the number 24; the digits matter.
        ms = subsec_to_ms(str(subsec))
    off = parse_offset(m.group(8)) if m.group(8) else None
    if off is None and offset is not None:
        off = parse_offset(str(offset))
    return ExifDate(f"{y:04}:{mo:02}:{d:02} {h:02}:{mi:02}:{s:02}", ms, off)


def exiftool_capture(tags: dict) -> tuple[ExifDate, str] | None:
    """The capture time exiftool gives, as Trove should pick it:
    DateTimeOriginal, else CreateDate (EXIF's DateTimeDigitized, or XMP's
    or a PNG's CreateDate when there is no EXIF one). Returns the date and
    where it came from."""
    for name, sub, off in (
        ("DateTimeOriginal", "SubSecTimeOriginal", "OffsetTimeOriginal"),
        ("CreateDate", "SubSecTimeDigitized", "OffsetTimeDigitized"),
    ):
        if name in tags:
            date = parse_date(tag(tags, name), tag(tags, sub), tag(tags, off))
            if date:
                return date, f"{tags[name][0]}:{name}"
    return None


# ------------------------------------------------------------------- trove


def trove_json(trove: str, library: Path, *args: str, check: bool = True):
    """Runs `trove --library LIB ARGS --json` and returns its JSON."""
    cmd = [trove, "--library", str(library), *args, "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if check and out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.strip()[:500]}")
    return json.loads(out.stdout) if out.stdout.strip() else None


def read_trove(trove: str, library: Path, folders: list[Path]) -> tuple[dict[str, dict], dict[str, dict], dict]:
    """Imports the folders and returns (asset detail by file path, problem
    by path, the add report)."""
    # `add` exits non-zero when some files could not be catalogued; those
    # are reported by `trove problems` and counted below, not fatal.
    report = trove_json(trove, library, "add", *map(str, folders), check=False)
    if report is None:
        sys.exit("trove add printed nothing")
    # Video metadata is read (by ffprobe) as the proxies are made.
    trove_json(trove, library, "thumbs", check=False)
    by_path: dict[str, dict] = {}
    for summary in trove_json(trove, library, "ls"):
        detail = trove_json(trove, library, "info", summary["id"])
        # An asset is one content; identical files share it. Each of its
        # files maps to it.
        for f in detail["files"]:
            by_path[os.path.abspath(f["path"])] = detail
    problems = {os.path.abspath(p["path"]): p for p in trove_json(trove, library, "problems") or []}
    return by_path, problems, report


def catalog_capture_ms(library: Path) -> dict[str, tuple[int | None, int | None]] | None:
    """uuid -> (capture_ms, capture_offset) straight from the throwaway
    library's catalog (read-only), for the sub-second part the CLI does not
    print. The catalog keeps the instant (unix ms) and the offset in
    minutes; the wall clock is capture_ms + offset minutes, or capture_ms
    read as UTC when the offset is unknown. None if the schema has moved."""
    db = library / "catalog.db"
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT uuid, capture_ms, capture_offset FROM assets").fetchall()
        finally:
            con.close()
    except sqlite3.Error as e:
        print(f"note: sub-seconds not compared: cannot read {db}: {e}", file=sys.stderr)
        return None
    return {uuid: (ms, off) for uuid, ms, off in rows}


def trove_wall_clock(local: str) -> str:
    """The CLI's 'YYYY-MM-DD HH:MM:SS' as exiftool's 'YYYY:MM:DD HH:MM:SS'."""
    date, _, time = local.partition(" ")
    return f"{date.replace('-', ':')} {time}"


# ------------------------------------------------------------- comparison


def strings_equal(a, b) -> bool:
    return a is not None and b is not None and str(a).strip() == str(b).strip()


def compare_video(tags: dict, path: str, asset: dict | None, problems: dict, results: dict) -> None:
    """The video rows for one file exiftool reads as a video. Trove reads a
    video's metadata with ffprobe when it makes its proxies (`trove
    thumbs`), from the container's own atoms: QuickTime's mvhd and udta /
    keys (com.apple.quicktime.*), Matroska's tags."""
    file_type = str(tag(tags, "FileType") or "?")
    meta = (asset or {}).get("metadata") or {}
    if asset is None:
        why = "problem: " + problems[path]["message"] if path in problems else "not in catalog"
        results["video_catalogued"].check(path, f"video ({file_type})", why, False)
    else:
        ok = asset["kind"] == "video" and path not in problems
        results["video_catalogued"].check(path, f"video ({file_type})", f"{asset['kind']} ({asset.get('mime')})", ok)

    # QuickTime keeps times as UTC, and exiftool -n prints them so; the
    # container's time is what Trove records, at offset 0.
    for name in ("CreateDate", "DateTimeOriginal"):
        date = parse_date(tag(tags, name), None, None)
        if date is not None:
            capture = (asset or {}).get("capture") or {}
            got = None
            if capture.get("source") not in (None, "file_mtime"):
                got = trove_wall_clock(capture.get("local", ""))
            results["video_capture"].check(path, f"{date.wall} ({tags[name][0]}:{name})", got, got == date.wall)
            break

    for key, name, field_name in (("video_make", "Make", "camera_make"), ("video_model", "Model", "camera_model")):
        value = tag(tags, name)
        if isinstance(value, str) and value.strip():
            results[key].check(path, tag_with_group(tags, name), meta.get(field_name), strings_equal(value, meta.get(field_name)))

    lat, lon = tag(tags, "GPSLatitude"), tag(tags, "GPSLongitude")
    if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and abs(lat) <= 90 and abs(lon) <= 180:
        gps = meta.get("gps") or {}
        glat, glon = gps.get("lat"), gps.get("lon")
        ok = glat is not None and glon is not None and abs(glat - lat) <= GPS_TOLERANCE_DEG and abs(glon - lon) <= GPS_TOLERANCE_DEG
        results["video_gps"].check(path, f"{lat}, {lon}", f"{glat}, {glon}" if gps else None, ok)

    # The frame as a player shows it: exiftool's track size, turned by the
    # track's rotation (QuickTime:Rotation 90 or 270).
    size = tag(tags, "ImageSize")
    parts = re.split(r"[ x]", str(size or "").strip())
    if len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[0]) > 0 and int(parts[1]) > 0:
        w, h = int(parts[0]), int(parts[1])
        if tag(tags, "Rotation") in (90, 270):
            w, h = h, w
        got = (asset or {}).get("width"), (asset or {}).get("height")
        shown = f"{got[0]}x{got[1]}" if got[0] is not None else None
        results["video_size"].check(path, f"{w}x{h} [{file_type}]", shown, got == (w, h))


def compare(exif: dict[str, dict], trove: dict[str, dict], problems: dict[str, dict], capture_ms) -> dict[str, FieldResult]:
    results = {key: FieldResult() for key, _ in FIELDS}
    for path in sorted(exif):
        if str(tag(exif[path], "MIMEType") or "").startswith("video/"):
            compare_video(exif[path], path, trove.get(path), problems, results)
        tags = exif[path]
        mime = str(tag(tags, "MIMEType") or "")
        if not mime.startswith("image/"):
            continue  # only what exiftool reads as an image is compared
        file_type = str(tag(tags, "FileType") or "?")
        asset = trove.get(path)
        meta = (asset or {}).get("metadata") or {}

        # Catalogued: Trove has it as an image, and no problem for it.
        if asset is None:
            why = "problem: " + problems[path]["message"] if path in problems else "not in catalog"
            results["catalogued"].check(path, f"image ({file_type})", why, False)
        else:
            ok = asset["kind"] == "image" and path not in problems
            results["catalogued"].check(path, f"image ({file_type})", f"{asset['kind']} ({asset.get('mime')})", ok)

        # Capture time. Trove's capture comes from EXIF (source
        # exif_original or exif_create) or, lacking that, the file's mtime,
        # which never counts as agreeing with a date in the file.
        expected = exiftool_capture(tags)
        cap = (asset or {}).get("capture") or {}
        from_file = cap.get("source") not in (None, "file_mtime")
        if expected:
            date, where = expected
            got_wall = trove_wall_clock(cap["local"]) if from_file else None
            shown = f"{got_wall} ({cap.get('source')})" if from_file else f"none ({cap.get('source') or 'not catalogued'})"
            results["capture"].check(path, f"{date.wall} ({where})", shown, got_wall == date.wall)
            if where.split(":")[0] in EXIF_GROUPS:
                results["capture_exif"].check(path, f"{date.wall} ({where})", shown, got_wall == date.wall)
            if date.offset_minutes is not None:
                got_off = cap.get("offset_minutes") if from_file else None
                results["capture_offset"].check(path, f"{date.offset_minutes} min ({where})", got_off, got_off == date.offset_minutes
                )
            if date.subsec_ms is not None and capture_ms is not None:
                got_ms = None
                stored = capture_ms.get(asset["id"]) if asset and from_file else None
                if stored and stored[0] is not None:
                    wall_ms = stored[0] + (stored[1] or 0) * 60_000
                    got_ms = wall_ms % 1000
                # Trove keeps milliseconds: allow 1 ms for rounding.
                ok = got_ms is not None and abs(got_ms - date.subsec_ms) <= 1
                results["capture_subsec"].check(path, f"{date.subsec_ms} ms ({where})", got_ms, ok)

        # Make, model, lens: trimmed text.
        for key, exif_tag, trove_key in (
            ("make", "Make", "camera_make"),
            ("model", "Model", "camera_model"),
            ("lens", "LensModel", "lens"),
        ):
            want = tag(tags, exif_tag)
            if want is not None and str(want).strip():
                got = meta.get(trove_key)
                results[key].check(path, tag_with_group(tags, exif_tag), got, strings_equal(want, got))

        # Orientation 1-8; other numbers (PhotoCD's 0) are no value.
        orient = tag(tags, "Orientation")
        valid_orient = isinstance(orient, int) and 1 <= orient <= 8
        if valid_orient:
            got = meta.get("orientation")
            results["orientation"].check(path, tag_with_group(tags, "Orientation"), got, got == orient)

        # GPS: both coordinates, in range (broken files hold 4294967295).
        lat, lon = tag(tags, "GPSLatitude"), tag(tags, "GPSLongitude")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and abs(lat) <= 90 and abs(lon) <= 180:
            gps = meta.get("gps") or {}
            glat, glon = gps.get("lat"), gps.get("lon")
            ok = (
                glat is not None
                and glon is not None
                and abs(glat - lat) <= GPS_TOLERANCE_DEG
                and abs(glon - lon) <= GPS_TOLERANCE_DEG
            )
            results["gps"].check(path, f"{lat}, {lon}", f"{glat}, {glon}" if gps else None, ok)

        # Pixel size as shown. Trove stores width and height with the EXIF
        # orientation applied (orientations 5-8 turn the picture a quarter,
        # so a 4000x3000 sensor image tagged 6 is stored as 3000x4000), so
        # exiftool's stored size is swapped for those before comparing; for
        # HEIF, by its `irot` rotation instead.
        if file_type in HEIF_TYPES:
            rotation = tag(tags, "Rotation")
            turned = rotation in (90, 270)
            why = f"rotation {rotation}"
        else:
            turned = valid_orient and orient >= 5
            why = f"orientation {orient}"
        size = tag(tags, "ImageSize")
        if size is not None and file_type not in VECTOR_TYPES:
            parts = re.split(r"[ x]", str(size).strip())
            if len(parts) == 2 and all(p.isdigit() for p in parts):
                w, h = int(parts[0]), int(parts[1])
                if w > 0 and h > 0:
                    if turned:
                        w, h = h, w
                    got = (asset or {}).get("width"), (asset or {}).get("height")
                    shown = f"{got[0]}x{got[1]}" if got[0] is not None else None
                    note = f" (turned, {why})" if turned else ""
                    results["size"].check(path, f"{w}x{h}{note} [{file_type}]", shown, got == (w, h))
    return results


# ------------------------------------------------------------------ output


def corpus_folders(corpus: Path) -> list[Path]:
    """The folders to read: for a corpus.sh folder, its image folders."""
    if any(corpus.glob(".built-*")):
        folders = [corpus / name for name in ("pillow", "pillow-heif", "piexif", "hachoir", "debian") if (corpus / name).is_dir()]
        if folders:
            return folders
    return [corpus]


def markdown_table(results: dict[str, FieldResult]) -> str:
    lines = [
        "| field | files with a value (exiftool) | agree | agreement % |",
        "|---|---|---|---|",
    ]
    for key, label in FIELDS:
        r = results[key]
        pct = r.percent()
        lines.append(f"| {label} (`{key}`) | {r.compared} | {r.agreed} | {'-' if pct is None else f'{pct:.1f}'} |")
    return "\n".join(lines)


def parse_minimums(items: list[str]) -> dict[str, float]:
    keys = {k for k, _ in FIELDS}
    mins = {}
    for item in items:
        name, sep, pct = item.partition("=")
        if not sep or name not in keys:
            sys.exit(f"--min wants FIELD=PCT with FIELD one of {', '.join(sorted(keys))}: {item!r}")
        mins[name] = float(pct)
    return mins


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("corpus", type=Path, help="folder of files to compare")
    ap.add_argument("--trove", help="trove binary (default: $TROVE_BIN, else target/debug/trove)")
    ap.add_argument("--min", action="append", default=[], metavar="FIELD=PCT", help="fail below this agreement")
    ap.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    ap.add_argument("--verbose", action="store_true", help="list the first disagreements of each field")
    ap.add_argument("--examples", type=int, default=10, help="disagreements listed per field (default 10)")
    ap.add_argument("--keep-library", action="store_true", help="keep the throwaway library and print its path")
    args = ap.parse_args()

    mins = parse_minimums(args.min)
    trove = args.trove or os.environ.get("TROVE_BIN") or str(REPO / "target/debug/trove")
    if not os.access(trove, os.X_OK):
        sys.exit(f"no trove binary at {trove} (build it, or pass --trove)")
    corpus = args.corpus.resolve()
    if not corpus.is_dir():
        sys.exit(f"not a folder: {corpus}")
    folders = corpus_folders(corpus)

    exif = run_exiftool(folders)
    tmp = tempfile.mkdtemp(prefix="trove-agreement-")
    library = Path(tmp) / "library"
    try:
        trove_files, problems, add_report = read_trove(trove, library, folders)
        capture_ms = catalog_capture_ms(library)
    finally:
        if args.keep_library:
            print(f"library kept at {library}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    results = compare(exif, trove_files, problems, capture_ms)
    images = sum(1 for t in exif.values() if str(tag(t, "MIMEType") or "").startswith("image/"))
    files_total = sum(1 for f in folders for p in f.rglob("*") if p.is_file())
    summary = {
        "corpus": str(corpus),
        "folders": [str(f) for f in folders],
        "files": files_total,
        "exiftool_files": len(exif),
        "exiftool_images": images,
        "trove_files": len(trove_files),
        "trove_problems": len(problems),
        "exiftool_version": subprocess.run(["exiftool", "-ver"], capture_output=True, text=True).stdout.strip(),
    }

    def relative(p: str) -> str:
        return os.path.relpath(p, corpus)

    failed = [
        (k, results[k].percent(), m)
        for k, m in mins.items()
        if results[k].percent() is not None and results[k].percent() < m
    ]
    if args.json:
        out = {
            **summary,
            "fields": {
                k: {
                    "label": label,
                    "compared": results[k].compared,
                    "agreed": results[k].agreed,
                    "percent": results[k].percent(),
                    "disagreements": [
                        {"path": relative(p), "exiftool": e, "trove": t} for p, e, t in results[k].disagreements
                    ],
                }
                for k, label in FIELDS
            },
            "failed_minimums": [{"field": k, "percent": p, "min": m} for k, p, m in failed],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(
            f"{summary['files']} files; exiftool read {summary['exiftool_files']} "
            f"({summary['exiftool_images']} as images); Trove catalogued {summary['trove_files']} "
            f"files, {summary['trove_problems']} problems (exiftool {summary['exiftool_version']})\n"
        )
        print(markdown_table(results))
        if args.verbose:
            for key, label in FIELDS:
                r = results[key]
                if not r.disagreements:
                    continue
                print(f"\n### {label}: {len(r.disagreements)} disagreement(s)\n")
                print("| file | exiftool | trove |\n|---|---|---|")
                for p, e, t in r.disagreements[: args.examples]:
                    print(f"| {relative(p)} | {e} | {t} |")
                if len(r.disagreements) > args.examples:
                    print(f"| ... {len(r.disagreements) - args.examples} more | | |")
        for k, p, m in failed:
            print(f"\nBELOW MINIMUM: {k} {p:.1f}% < {m}%", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
