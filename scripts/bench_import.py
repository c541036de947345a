#!/usr/bin/env python3
"""Import benchmarks (prints figures; not a test).

1. Import of a generated 10,000-file tree (mixed sizes, warm page cache):
   Trove's files/s and MB/s beside b3sum + md5sum doing the same hashing
   work on the same files with all cores, interleaved, median of N runs.
2. Rescan of an unchanged 100,000-file tree: seconds (median of N).
3. Peak RSS of importing the 100,000-file tree.

Needs release builds: cargo build --release -p trove-cli -p trove-testkit,
and b3sum (cargo install b3sum). Usage: scripts/bench_import.py [--runs N]
[--work DIR] [--files N] [--big-files N]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
TROVE = os.path.join(TARGET, "release", "trove")
MAKE_TREE = os.path.join(TARGET, "release", "trove-make-tree")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def timed(cmd, **kw):
    t = time.perf_counter()
    run(cmd, **kw)
    return time.perf_counter() - t


def peak_rss_mb(cmd):
    """Runs cmd in a fresh child and returns (seconds, its peak RSS in MB)."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(cmd[0], cmd)
    t = time.perf_counter()
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{cmd} failed")
    return elapsed, usage.ru_maxrss / 1024


def tree(path, files, scale, seed):
    if not os.path.isdir(path):
        run([MAKE_TREE, path, str(files), str(scale), str(seed)])
    total = 0
    count = 0
    for d, _, names in os.walk(path):
        for n in names:
            total += os.path.getsize(os.path.join(d, n))
            count += 1
    return count, total


def warm(path):
    subprocess.run(f"find {path} -type f -print0 | xargs -0 cat > /dev/null", shell=True, check=True)


def anchor(path, tool, cores):
    # Many files per invocation, one invocation per core.
    return timed(["sh", "-c", f"find {path} -type f -print0 | xargs -0 -P {cores} -n 256 {tool} > /dev/null"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/trove-bench")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--big-files", type=int, default=100_000)
    args = ap.parse_args()
    cores = os.cpu_count() or 2
    b3sum = shutil.which("b3sum")
    if not b3sum:
        sys.exit("b3sum not found: cargo install b3sum")
    os.makedirs(args.work, exist_ok=True)

    # 1. Import throughput vs b3sum + md5sum.
    src = os.path.join(args.work, f"tree-{args.files}")
    n, total = tree(src, args.files, 0.25, 11)
    mb = total / 1e6
    print(f"# import: {n} files, {mb:.0f} MB, {cores} cores, warm cache, median of {args.runs}")
    warm(src)
    trove_s, b3_s, md5_s = [], [], []
    for i in range(args.runs):
        lib = os.path.join(args.work, f"lib-{i}")
        shutil.rmtree(lib, ignore_errors=True)
        trove_s.append(timed([TROVE, "--library", lib, "--threads", str(cores), "add", "--kinds", "all", src]))
        b3_s.append(anchor(src, "b3sum --num-threads 1", cores))
        md5_s.append(anchor(src, "md5sum", cores))
        shutil.rmtree(lib, ignore_errors=True)
    t, b, m = statistics.median(trove_s), statistics.median(b3_s), statistics.median(md5_s)
    anchor_s = b + m
    print(f"trove add (BLAKE3+MD5 one pass + catalog): {t:.2f} s  {n / t:,.0f} files/s  {mb / t:,.0f} MB/s")
    print(f"b3sum:                                     {b:.2f} s  {n / b:,.0f} files/s  {mb / b:,.0f} MB/s")
    print(f"md5sum:                                    {m:.2f} s  {n / m:,.0f} files/s  {mb / m:,.0f} MB/s")
    print(f"b3sum + md5sum (same hashing work):        {anchor_s:.2f} s  {n / anchor_s:,.0f} files/s  {mb / anchor_s:,.0f} MB/s")
    print(f"ratio trove / (b3sum + md5sum) throughput: {anchor_s / t:.2f}  (target >= 0.80)")

    # 2 + 3. 100k files: import peak RSS, then unchanged rescans.
    big = os.path.join(args.work, f"tree-{args.big_files}")
    n, total = tree(big, args.big_files, 0.01, 12)
    warm(big)
    lib = os.path.join(args.work, "lib-big")
    shutil.rmtree(lib, ignore_errors=True)
    secs, rss = peak_rss_mb([TROVE, "--library", lib, "--threads", str(cores), "add", "--kinds", "all", big])
    print(f"# {n} files, {total / 1e6:.0f} MB")
    print(f"import: {secs:.1f} s, {n / secs:,.0f} files/s, peak RSS {rss:.0f} MB  (target < 300 MB)")
    rescans = [timed([TROVE, "--library", lib, "--threads", str(cores), "scan"]) for _ in range(args.runs)]
    print(f"rescan unchanged: median {statistics.median(rescans):.2f} s of {['%.2f' % r for r in rescans]}  (target < 2 s)")
    shutil.rmtree(lib, ignore_errors=True)

    # 4. Watch latency: a new file under a watched root until `trove info`
    # finds it (includes the 500 ms debounce and the CLI's process start).
    small = os.path.join(args.work, "watched")
    shutil.rmtree(small, ignore_errors=True)
    os.makedirs(small)
    lib = os.path.join(args.work, "lib-watch")
    shutil.rmtree(lib, ignore_errors=True)
    run([TROVE, "--library", lib, "init"])
    run([TROVE, "--library", lib, "add", "--kinds", "all", small])
    watcher = subprocess.Popen([TROVE, "--library", lib, "watch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        lat = []
        for i in range(args.runs * 3):
            path = os.path.join(small, f"new-{i}.jpg")
            with open(path, "wb") as f:
                f.write(b"\xff\xd8\xff\xe0" + os.urandom(50_000))
            t = time.perf_counter()
            while subprocess.run([TROVE, "--library", lib, "info", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
                if time.perf_counter() - t > 30:
                    sys.exit("watch did not catalogue a new file in 30 s")
                time.sleep(0.02)
            lat.append(time.perf_counter() - t)
        print(f"watch: new file catalogued after median {statistics.median(lat):.2f} s, max {max(lat):.2f} s  (target < 2 s)")
    finally:
        watcher.send_signal(2)
        watcher.wait(timeout=30)
        shutil.rmtree(lib, ignore_errors=True)


if __name__ == "__main__":
    main()
