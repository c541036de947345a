#!/usr/bin/env python3
"""Worker-pool benchmark (prints figures; not a test).

The media issue asks to run proxies' CPU work on a pool sized to the cores,
"rayon, or spawn_blocking behind a semaphore: measure and pick". This runs
the same proxy jobs (read, one decode, thumb + thumb@2x + preview, write)
three ways with the `bench_pool` example, interleaved (the order rotates
each round), with as many threads as cores and with twice as many:

- threads:  plain threads taking the next job (how Trove's workers work)
- rayon:    a rayon pool over the files
- blocking: tokio spawn_blocking behind a semaphore

on two sets: camera-size photos (6000 x 4000, about 8 MB) and small ones
(1024 x 768), where per-job overhead would show. Reports images/s (median
of N runs), each mode against `threads`, and peak RSS.

Needs: cargo build --release -p trove-media --example bench_pool,
cargo build --release -p trove-testkit.
Usage: scripts/bench_pool.py [--runs N] [--photos N] [--small N] [--work DIR]
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BENCH = os.path.join(TARGET, "release", "examples", "bench_pool")
MAKE_PHOTOS = os.path.join(TARGET, "release", "trove-make-photos")
MODES = ["threads", "rayon", "blocking"]


def run_rss(cmd):
    """Runs cmd; returns (images/s, peak RSS MB)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    out = p.stdout.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd} failed: {p.stderr.read().decode()}")
    images, secs = out.split()
    return int(images) / float(secs), usage.ru_maxrss / 1024


def photos(dir_, count, size):
    if len(glob.glob(os.path.join(dir_, "*.jpg"))) < count:
        subprocess.run([MAKE_PHOTOS, dir_, str(count), *map(str, size)], check=True)
    # Warm the page cache: every mode reads the same files.
    for f in glob.glob(os.path.join(dir_, "*.jpg")):
        with open(f, "rb") as fh:
            while fh.read(1 << 20):
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--photos", type=int, default=24)
    ap.add_argument("--small", type=int, default=400)
    ap.add_argument("--work", default="/tmp/trove-bench")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    sets = [
        (f"{args.photos} photos 6000x4000", os.path.join(args.work, "photos"), args.photos, (6000, 4000)),
        (f"{args.small} photos 1024x768", os.path.join(args.work, "photos-1024"), args.small, (1024, 768)),
    ]
    results = {}
    for name, dir_, count, size in sets:
        photos(dir_, count, size)
    started = time.time()
    for r in range(args.runs):
        for name, dir_, _, _ in sets:
            for n in (cores, 2 * cores):
                order = MODES[r % 3 :] + MODES[: r % 3]
                for mode in order:
                    results.setdefault((name, n, mode), []).append(run_rss([BENCH, dir_, mode, str(n)]))
    print(f"{cores} cores, {args.runs} runs, {time.time() - started:.0f} s in all")
    print(f"{'set':<26} {'threads':>7} {'mode':<9} {'images/s':>9} {'vs threads':>10} {'peak RSS':>9}  runs (images/s)")
    for name, _, _, _ in sets:
        for n in (cores, 2 * cores):
            base = statistics.median(x for x, _ in results[(name, n, "threads")])
            for mode in MODES:
                rs = results[(name, n, mode)]
                med = statistics.median(x for x, _ in rs)
                rss = max(m for _, m in rs)
                runs = " ".join(f"{x:.1f}" for x, _ in rs)
                print(f"{name:<26} {n:>7} {mode:<9} {med:>9.2f} {med / base:>9.3f}x {rss:>7.0f} MB  {runs}")


if __name__ == "__main__":
    main()
