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
PSNR = os.path.join(TARGET, "release", "examples", "psnr")
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
    ap.add_argument("--quality-photos", type=int, default=6)
    args = ap.parse_args()
    photos = os.path.join(args.work, "photos")
    if len(glob.glob(os.path.join(photos, "*.jpg"))) < args.photos or os.environ.get("REGENERATE"):
        shutil.rmtree(photos, ignore_errors=True)
        subprocess.run([MAKE_PHOTOS, photos, str(args.photos)], check=True)
    files = sorted(glob.glob(os.path.join(photos, "*.jpg")))[: args.photos]
    n = len(files)
    # bench_thumbs reads every JPEG of its folder: give it exactly these.
    selected = os.path.join(args.work, "selected")
    shutil.rmtree(selected, ignore_errors=True)
    os.makedirs(selected)
    for f in files:
        os.symlink(f, os.path.join(selected, os.path.basename(f)))
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    vips_env = dict(os.environ, VIPS_CONCURRENCY="1")
    out = os.path.join(args.work, "out")

    def fresh():
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)

    def vips(size, inputs, name):
        return ["vipsthumbnail", "-s", str(size), "-o", f"{out}/%s-{name}.jpg[Q=82]", *inputs]

    def vips_chain():
        """The 2048 preview, then the thumbnail from it: (seconds, peak RSS)."""
        t1, m1, _ = run_rss(vips(2048, files, "preview"), vips_env)
        t2, m2, _ = run_rss(vips(256, sorted(glob.glob(f"{out}/*-preview.jpg")), "thumb"), vips_env)
        return t1 + t2, max(m1, m2)

    # Interleaved: each round runs every contender once, in this order.
    contenders = {
        "trove_thumb": lambda: run_rss([BENCH, selected, out, "thumb"])[:2],
        "trove_grid": lambda: run_rss([BENCH, selected, out, "grid"])[:2],
        "vips_grid": lambda: run_rss(vips(256, files, "thumb"), vips_env)[:2],
        "trove_all": lambda: run_rss([BENCH, selected, out, "all"])[:2],
        "vips_chain": vips_chain,
    }
    res = {k: [] for k in contenders}
    rss = {k: 0.0 for k in contenders}
    for _ in range(args.runs):
        for k, run in contenders.items():
            fresh()
            t, m = run()
            res[k].append(t)
            rss[k] = max(rss[k], m)
    med = {k: statistics.median(v) for k, v in res.items()}
    def dim(field):
        return subprocess.run(["vipsheader", "-f", field, files[0]], capture_output=True, text=True).stdout.strip()

    mean_mb = sum(os.path.getsize(f) for f in files) / n / 1e6
    print(
        f"# {n} JPEGs ({dim('width')}x{dim('height')} the first, {mean_mb:.1f} MB on average), "
        f"one core each, median of {args.runs}"
    )
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
    quality(args, files[: args.quality_photos], out, vips_env)


def quality(args, files, out, vips_env):
    """PSNR of each tool's outputs against a full decode resized with
    Lanczos3 to the same size, both written at JPEG quality 100 (4:4:4), so
    the resampling is measured rather than the final compression."""
    fresh_dir = os.path.join(args.work, "quality")
    shutil.rmtree(fresh_dir, ignore_errors=True)
    src = os.path.join(fresh_dir, "src")
    os.makedirs(src)
    for f in files:
        os.symlink(f, os.path.join(src, os.path.basename(f)))
    subprocess.run([BENCH, src, fresh_dir, "all", "100"], check=True, stdout=subprocess.DEVNULL)
    sizes = {"thumb": "384x256", "thumb@2x": "768x512", "preview": "2048"}
    for variant, box in sizes.items():
        subprocess.run(
            ["vipsthumbnail", "-s", box, "-o", f"{fresh_dir}/%s-vips-{variant}.jpg[Q=100]", *files],
            env=vips_env,
            check=True,
        )
    scores = {}
    for f in files:
        stem = os.path.splitext(os.path.basename(f))[0]
        cands = []
        for variant in sizes:
            cands += [f"{fresh_dir}/{stem}-{variant}.jpg", f"{fresh_dir}/{stem}-vips-{variant}.jpg"]
        res = subprocess.run([PSNR, f, *cands], check=True, capture_output=True, text=True).stdout.split("\n")
        for line, cand in zip(res, cands):
            tool = "vips" if "-vips-" in cand else "trove"
            variant = cand.rsplit("-", 1)[1][:-4]
            scores.setdefault((variant, tool), []).append(float(line.split()[0]))
    print(f"# quality: PSNR (dB) against a full decode + Lanczos3, mean of {len(files)} photos, Q100 4:4:4")
    for variant, box in sizes.items():
        t = statistics.mean(scores[(variant, "trove")])
        v = statistics.mean(scores[(variant, "vips")])
        print(f"{variant:10} ({box:>7}): trove {t:5.2f} dB   vipsthumbnail {v:5.2f} dB   ({t - v:+.2f})")


if __name__ == "__main__":
    main()
