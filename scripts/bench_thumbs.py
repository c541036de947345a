#!/usr/bin/env python3
"""Proxy benchmarks (prints figures; not a test).

On a folder of camera-size JPEGs, interleaved in the same run, one core
each (VIPS_CONCURRENCY=1; Trove's example runs on one thread):

1. Grid thumbnails: Trove (thumb, short side 256, and thumb@2x, short side
   512) vs `vipsthumbnail -s 256`.
2. Thumbnails + preview: Trove (thumb, thumb@2x and a 2048 preview from one
   decode) vs vipsthumbnail making the 2048 preview and then the 256
   thumbnail from it.

Reports images/s, ratios and peak RSS, median of N runs.

Needs: cargo build --release -p trove-media --example bench_thumbs,
cargo build --release -p trove-testkit, and libvips-tools.
Usage: scripts/bench_thumbs.py [--runs N] [--photos N] [--work DIR]
"""
import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BENCH = os.path.join(TARGET, "release", "examples", "bench_thumbs")
MAKE_PHOTOS = os.path.join(TARGET, "release", "trove-make-photos")


def run_rss(cmd, env=None):
    """Runs cmd; returns (seconds, peak RSS MB, stdout)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t
    out = p.stdout.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--photos", type=int, default=24)
    ap.add_argument("--work", default="/tmp/trove-bench")
    args = ap.parse_args()
    photos = os.path.join(args.work, "photos")
    if len(glob.glob(os.path.join(photos, "*.jpg"))) < args.photos or os.environ.get("REGENERATE"):
        shutil.rmtree(photos, ignore_errors=True)
        subprocess.run([MAKE_PHOTOS, photos, str(args.photos)], check=True)
    files = sorted(glob.glob(os.path.join(photos, "*.jpg")))[: args.photos]
    n = len(files)
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    vips_env = dict(os.environ, VIPS_CONCURRENCY="1")
    out = os.path.join(args.work, "out")

    def fresh():
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)

    res = {k: [] for k in ["trove_thumb", "trove_grid", "vips_grid", "trove_all", "vips_chain"]}
    rss = {k: 0.0 for k in res}
    for _ in range(args.runs):
        fresh()
        t, m, _ = run_rss([BENCH, photos, out, "thumb"])
        res["trove_thumb"].append(t)
        rss["trove_thumb"] = max(rss["trove_thumb"], m)
        fresh()
        t, m, _ = run_rss([BENCH, photos, out, "grid"])
        res["trove_grid"].append(t)
        rss["trove_grid"] = max(rss["trove_grid"], m)
        fresh()
        t, m, _ = run_rss(["vipsthumbnail", "-s", "256", "-o", f"{out}/%s-thumb.jpg[Q=82]", *files], vips_env)
        res["vips_grid"].append(t)
        rss["vips_grid"] = max(rss["vips_grid"], m)
        fresh()
        t, m, _ = run_rss([BENCH, photos, out, "all"])
        res["trove_all"].append(t)
        rss["trove_all"] = max(rss["trove_all"], m)
        fresh()
        t1, m1, _ = run_rss(["vipsthumbnail", "-s", "2048", "-o", f"{out}/%s-preview.jpg[Q=82]", *files], vips_env)
        previews = sorted(glob.glob(f"{out}/*-preview.jpg"))
        t2, m2, _ = run_rss(["vipsthumbnail", "-s", "256", "-o", f"{out}/%s-thumb.jpg[Q=82]", *previews], vips_env)
        res["vips_chain"].append(t1 + t2)
        rss["vips_chain"] = max(rss["vips_chain"], m1, m2)
    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"# {n} JPEGs, 6000x4000, one core each, median of {args.runs}")
    for k, label in [
        ("trove_thumb", "trove thumb (short side 256)"),
        ("trove_grid", "trove grid (thumb 256 + thumb@2x 512, short side)"),
        ("vips_grid", "vipsthumbnail -s 256"),
        ("trove_all", "trove thumb + thumb@2x + preview 2048, one decode"),
        ("vips_chain", "vipsthumbnail -s 2048, then -s 256 from it"),
    ]:
        print(f"{label:52} {n / med[k]:6.2f} images/s  ({med[k]:.2f} s)  peak RSS {rss[k]:.0f} MB")
    print(f"ratio thumb: {med['vips_grid'] / med['trove_thumb']:.2f}x vipsthumbnail -s 256  (target >= 1.5x)")
    print(f"ratio grid (thumb + 2x): {med['vips_grid'] / med['trove_grid']:.2f}x vipsthumbnail -s 256")
    print(f"ratio thumbnails + preview: {med['vips_chain'] / med['trove_all']:.2f}x the vips chain  (target >= 2x)")


if __name__ == "__main__":
    main()
