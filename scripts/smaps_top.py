#!/usr/bin/env python3
"""Where a process's resident memory is: its mappings grouped by what they
map (a library, [heap], anonymous memory, a file), largest first.

usage: smaps_top.py PID [N]   (N rows, 15 by default)
Columns: Rss, Private_Dirty (written by this process alone: what it costs),
Shared_Clean (file pages shared with other processes), in MB.
"""
import collections
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    pid, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15
    sums = collections.defaultdict(lambda: [0, 0, 0])
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if "-" in parts[0] and not parts[0].endswith(":"):
                name = parts[5] if len(parts) > 5 else "[anon]"
            elif parts[0] in ("Rss:", "Private_Dirty:", "Shared_Clean:"):
                col = ("Rss:", "Private_Dirty:", "Shared_Clean:").index(parts[0])
                sums[name][col] += int(parts[1])
    rows = sorted(sums.items(), key=lambda kv: -kv[1][0])
    total = [sum(v[i] for v in sums.values()) for i in range(3)]
    print(f"{'rss':>7} {'priv_dirty':>10} {'shared':>7}  mapping (MB)")
    for k, (rss, dirty, shared) in rows[:n]:
        print(f"{rss / 1024:7.1f} {dirty / 1024:10.1f} {shared / 1024:7.1f}  {k}")
    print(f"{total[0] / 1024:7.1f} {total[1] / 1024:10.1f} {total[2] / 1024:7.1f}  total")


if __name__ == "__main__":
    main()
