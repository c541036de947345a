#!/usr/bin/env python3
"""Files vipsthumbnail thumbnails and Trove does not, and why (issue 26).

    scripts/thumbnail_parity.py FOLDER [--trove PATH] [--json] [--keep-library] [--jobs N]

The aim is that every file libvips can make a thumbnail of, Trove can too.
This tool runs both over the files of FOLDER and lists where they differ.

What it does:
  1. vips: runs `vipsthumbnail FILE -s 256 -o OUT/<n>.jpg` on every regular
     file under FOLDER (recursively; hidden files and folders, and symbolic
     links, are skipped), --jobs at a time (default 2), 60 seconds at most
     each. A file "vips thumbnails" when vipsthumbnail exits 0 and the JPEG
     it wrote exists and is not empty. Each vipsthumbnail runs with
     VIPS_CONCURRENCY=1 so that --jobs is the number of cores used.
  2. Trove: imports FOLDER into two throwaway libraries in a temporary
     folder, with the Trove CLI:
       - the main library, with the folder's default setting (`trove add
         FOLDER`, kinds "media": photos, videos, sound and PDFs), then
         `trove thumbs`. This is what a user gets, so it decides whether
         Trove thumbnails a file.
       - a second library with `trove add FOLDER --kinds all`, a scan only
         (no thumbnails). Trove keeps no record of the files the media
         setting leaves out, so this library is how the report learns which
         files those are and what Trove took them for (kind "other" and a
         MIME type): those are the formats Trove's detector does not
         recognise as media. No thumbnails are made there: Trove makes
         none for kind "other", and the rest (text, office files, e-books)
         is not what vipsthumbnail reads.
     Every asset is read back with `trove ls --json` and `trove info ID
     --json`: an asset lists its files (identical files share one asset),
     `derivatives` lists what was made (a "thumb" variant is a thumbnail),
     and `proxy_error` holds "code: message" when making them failed.
     `trove problems --json` gives the paths Trove could not catalogue.
  3. Prints counts (files, vips thumbnails, Trove thumbnails, both, only
     vips, only Trove), then every file vips thumbnails and Trove does not,
     grouped by cause:
       left_out        the media setting left it out (Trove does not take
                       it for a photo, video, sound or PDF); the kind and
                       MIME type Trove gave it under --kinds all are shown
       not_catalogued  in neither library (with Trove's problem, if any)
       error           catalogued, and making the thumbnail failed: the
                       proxy_error
       no_thumbnail    catalogued, no thumbnail and no error recorded
       not_a_picture   a font (Trove's MIME type font/*): vips renders a
                       specimen of it through ImageMagick; a font is not
                       an asset of a photo library, so it is listed but
                       not counted as a miss
     each with the loader vips used (and, for vips's ImageMagick loader,
     the format ImageMagick named), then the files Trove thumbnails and
     vips does not (for information, with vips's error). --json prints the
     same as JSON.

Exit status: 1 when some file vips thumbnails has no Trove thumbnail (so
this can gate CI; fonts excepted), 0 otherwise; 2 on a usage or set-up error.

The trove binary is --trove, else $TROVE_BIN, else target/debug/trove of
this checkout. Python 3.11 standard library only; needs vipsthumbnail and
vipsheader (Debian: libvips-tools).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# How long one vipsthumbnail may run, and the thumbnail's long side.
VIPS_TIMEOUT_S = 60
VIPS_SIZE = "256"

# The causes of a file vips thumbnails and Trove does not, in report order,
# with the heading each gets.
CAUSES = {
    "not_a_picture": "not a picture: a font, which vips renders as a specimen through ImageMagick (not counted as a miss)",
    "left_out": "left out by the folder setting (media): not recognised as a photo, video, sound or PDF",
    "not_catalogued": "not catalogued",
    "error": "thumbnail failed (proxy_error)",
    "no_thumbnail": "catalogued, no thumbnail and no error",
}


def note(msg: str) -> None:
    """Progress on stderr, so that stdout is only the report."""
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------- files


def list_files(folder: Path) -> list[Path]:
    """Every regular file under the folder, sorted; hidden files and
    folders (a name starting with a dot) and symbolic links are skipped."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        # Pruning dirnames in place stops os.walk from entering them.
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)


# -------------------------------------------------------------------- vips


@dataclass
class VipsResult:
    ok: bool
    error: str = ""  # the last line vipsthumbnail printed, when it failed


def vips_env() -> dict[str, str]:
    """The environment for vips tools: one worker thread per process."""
    return {**os.environ, "VIPS_CONCURRENCY": "1"}


def vips_thumbnail(path: Path, out: Path) -> VipsResult:
    """Runs vipsthumbnail on one file; ok when it made a non-empty JPEG."""
    cmd = ["vipsthumbnail", str(path), "-s", VIPS_SIZE, "-o", str(out)]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                             timeout=VIPS_TIMEOUT_S, env=vips_env(), check=False)
    except subprocess.TimeoutExpired:
        return VipsResult(False, f"timed out after {VIPS_TIMEOUT_S} s")
    made = out.is_file() and out.stat().st_size > 0
    if run.returncode == 0 and made:
        return VipsResult(True)
    lines = [line.strip() for line in run.stderr.splitlines() if line.strip()]
    why = lines[-1] if lines else "no output"
    if run.returncode == 0:
        why = f"exit 0 but no thumbnail written ({why})"
    return VipsResult(False, why)


def run_vips(files: list[Path], out_dir: Path, jobs: int) -> list[VipsResult]:
    """vipsthumbnail over every file, `jobs` at a time; results in order.
    File n is written to OUT/<n>.jpg, so names never collide."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda nf: vips_thumbnail(nf[1], out_dir / f"{nf[0]}.jpg"), enumerate(files)))


def vips_loader(path: Path) -> str:
    """The loader vips reads the file with ("ppmload"; "magickload (TGA)"
    for ImageMagick, with the format it named), for the report."""
    try:
        run = subprocess.run(["vipsheader", "-a", str(path)], capture_output=True, text=True,
                             errors="replace", timeout=VIPS_TIMEOUT_S, env=vips_env(), check=False)
    except subprocess.TimeoutExpired:
        return "?"
    fields = {}
    for line in run.stdout.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            fields[key.strip()] = value.strip()
    loader = fields.get("vips-loader", "?")
    if "magick-format" in fields:
        loader += f" ({fields['magick-format']})"
    return loader


# ------------------------------------------------------------------- trove


def trove_json(trove: str, library: Path, *args: str):
    """Runs `trove --library LIB ARGS --json` and returns its JSON. A non-zero
    exit is not fatal (`add` exits 1 when some file could not be catalogued,
    `thumbs` when some thumbnail failed: both are what this tool reports),
    but printing no JSON is."""
    cmd = [trove, "--library", str(library), *args, "--json"]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        note(f"{' '.join(cmd)} printed no JSON (exit {run.returncode}): {run.stderr.strip()[:500]}")
        raise SystemExit(2) from None


def trove_assets(trove: str, library: Path, jobs: int, details: bool) -> dict[str, dict]:
    """Asset by absolute file path, for every file of the library. With
    `details`, each asset is its `trove info` (files, derivatives,
    proxy_error); without, its `trove ls` summary (kind, mime), and `info`
    is asked only of assets with more than one file, to learn their paths."""
    summaries = trove_json(trove, library, "ls")
    need_info = [s for s in summaries if details or s.get("files", 1) > 1]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        infos = dict(zip((s["id"] for s in need_info),
                         pool.map(lambda s: trove_json(trove, library, "info", s["id"]), need_info)))
    by_path = {}
    for s in summaries:
        if s["id"] in infos:
            info = infos[s["id"]]
            for f in info["files"]:
                by_path[os.path.abspath(f["path"])] = info
        else:
            by_path[os.path.abspath(s["path"])] = s
    return by_path


def trove_problems(trove: str, library: Path) -> dict[str, dict]:
    """Trove's problems (paths it could not catalogue) by absolute path."""
    return {os.path.abspath(p["path"]): p for p in trove_json(trove, library, "problems") or []}


def has_thumbnail(asset: dict | None) -> bool:
    return bool(asset) and any(d.get("variant") == "thumb" for d in asset.get("derivatives") or [])


# -------------------------------------------------------------- comparison


def kind_text(asset: dict) -> str:
    """'image (image/x-tga)': the kind and MIME type Trove gave an asset."""
    return f"{asset['kind']} ({asset.get('mime') or 'no MIME type'})"


def why_no_thumbnail(path: str, media: dict, every: dict, problems: dict) -> tuple[str, str, str]:
    """(cause, Trove's kind and MIME type, reason text) for a file with no
    Trove thumbnail."""
    asset = media.get(path)
    if asset is not None:
        kind = kind_text(asset)
        if asset.get("proxy_error"):
            return "error", kind, asset["proxy_error"]
        return "no_thumbnail", kind, "no thumbnail and no error recorded"
    other = every.get(path)
    if other is not None:
        mime = other.get("mime") or ""
        if mime.startswith(("font/", "application/font", "application/x-font")):
            return "not_a_picture", kind_text(other), "a font, not a picture"
        return "left_out", kind_text(other), "left out by the folder setting (media)"
    problem = problems.get(path)
    if problem:
        return "not_catalogued", "-", f"problem {problem.get('code')}: {problem.get('message')}"
    return "not_catalogued", "-", "not in the catalog, no problem recorded"


def cell(text: str) -> str:
    """Text made safe for one cell of a markdown table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def extension(path: str) -> str:
    return Path(path).suffix.lower() or "(none)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("folder", type=Path, help="folder of files to compare")
    ap.add_argument("--trove", help="trove binary (default: $TROVE_BIN, else target/debug/trove)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a markdown report")
    ap.add_argument("--keep-library", action="store_true",
                    help="keep the throwaway libraries and vips's thumbnails, and print where")
    ap.add_argument("--jobs", type=int, default=2, help="vipsthumbnail (and trove info) runs at a time (default 2)")
    args = ap.parse_args()

    trove = args.trove or os.environ.get("TROVE_BIN") or str(REPO / "target/debug/trove")
    if not os.access(trove, os.X_OK):
        print(f"no trove binary at {trove} (build it, or pass --trove)", file=sys.stderr)
        return 2
    for tool in ("vipsthumbnail", "vipsheader"):
        if not shutil.which(tool):
            print(f"{tool} not found (Debian: apt install libvips-tools)", file=sys.stderr)
            return 2
    folder = args.folder.resolve()
    if not folder.is_dir():
        print(f"not a folder: {folder}", file=sys.stderr)
        return 2
    jobs = max(1, args.jobs)

    files = list_files(folder)
    paths = [str(p) for p in files]
    tmp = Path(tempfile.mkdtemp(prefix="trove-thumb-parity-"))
    try:
        started = time.monotonic()
        note(f"vipsthumbnail over {len(files)} files, {jobs} at a time ...")
        vips = dict(zip(paths, run_vips(files, tmp / "vips", jobs)))
        vips_s = time.monotonic() - started

        started = time.monotonic()
        note("trove: import (media) and thumbs ...")
        media_lib, all_lib = tmp / "library-media", tmp / "library-all"
        trove_json(trove, media_lib, "add", str(folder))
        trove_json(trove, media_lib, "thumbs")
        trove_s = time.monotonic() - started
        note("trove: import (--kinds all) and reading both catalogs back ...")
        trove_json(trove, all_lib, "add", str(folder), "--kinds", "all")
        media = trove_assets(trove, media_lib, jobs, details=True)
        every = trove_assets(trove, all_lib, jobs, details=False)
        problems = {**trove_problems(trove, all_lib), **trove_problems(trove, media_lib)}
    finally:
        if args.keep_library:
            note(f"libraries and vips thumbnails kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    # Compare file by file.
    by_vips = {p for p in paths if vips[p].ok}
    by_trove = {p for p in paths if has_thumbnail(media.get(p))}
    only_vips = []
    for p in sorted(by_vips - by_trove):
        cause, kind, reason = why_no_thumbnail(p, media, every, problems)
        only_vips.append({"path": os.path.relpath(p, folder), "cause": cause, "trove_kind": kind,
                          "reason": reason, "vips_loader": vips_loader(Path(p))})
    # vips's error names the file by its full path: shortened to the
    # path inside FOLDER, like the rest of the report.
    only_trove = [{"path": os.path.relpath(p, folder),
                   "vips_error": vips[p].error.replace(p, os.path.relpath(p, folder))}
                  for p in sorted(by_trove - by_vips)]
    version = subprocess.run(["vipsthumbnail", "--vips-version"], capture_output=True, text=True).stdout.strip()
    counts = {
        "files": len(paths),
        "vips": len(by_vips),
        "trove": len(by_trove),
        "both": len(by_vips & by_trove),
        "only_vips": len(only_vips),
        "only_trove": len(only_trove),
        "neither": len(paths) - len(by_vips | by_trove),
    }
    # Causes, and within each the file extensions, for the summary.
    by_cause = {c: [r for r in only_vips if r["cause"] == c] for c in CAUSES}

    if args.json:
        print(json.dumps({
            "folder": str(folder),
            "trove": trove,
            "vips_version": version,
            "seconds": {"vips": round(vips_s, 1), "trove_import_and_thumbs": round(trove_s, 1)},
            "counts": counts,
            "only_vips_by_cause": {c: len(rows) for c, rows in by_cause.items()},
            "only_vips": only_vips,
            "only_trove": only_trove,
        }, indent=2, ensure_ascii=False))
    else:
        print(f"# Thumbnail parity: {folder}\n")
        print(f"{version}; trove {trove}; vipsthumbnail took {vips_s:.0f} s "
              f"({jobs} at a time), trove add + thumbs {trove_s:.0f} s\n")
        print("| files | vips thumbnails | Trove thumbnails | both | only vips | only Trove | neither |")
        print("|---|---|---|---|---|---|---|")
        print("| " + " | ".join(str(counts[k]) for k in
                                ("files", "vips", "trove", "both", "only_vips", "only_trove", "neither")) + " |")
        for cause, rows in by_cause.items():
            if not rows:
                continue
            exts = Counter(extension(r["path"]) for r in rows)
            print(f"\n## Only vips: {CAUSES[cause]} ({len(rows)})\n")
            print("By extension: " + ", ".join(f"{e} {n}" for e, n in exts.most_common()) + "\n")
            print("| file | vips loader | Trove kind (MIME) | Trove's reason |")
            print("|---|---|---|---|")
            for r in rows:
                print("| " + " | ".join(cell(r[k]) for k in ("path", "vips_loader", "trove_kind", "reason")) + " |")
        if only_trove:
            print(f"\n## Only Trove (for information, {len(only_trove)})\n")
            print("| file | vipsthumbnail's error |")
            print("|---|---|")
            for r in only_trove:
                print(f"| {cell(r['path'])} | {cell(r['vips_error'])} |")
    return 1 if any(r["cause"] != "not_a_picture" for r in only_vips) else 0


if __name__ == "__main__":
    sys.exit(main())
