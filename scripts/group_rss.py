#!/usr/bin/env python3
"""Resident memory of a group of processes, each page counted once.

usage: group_rss.py PID...   (root: page frame numbers need CAP_SYS_ADMIN)

Summing each process's RSS counts a page shared by several of them (a
library they all map, such as WebKit's or Mesa's) once per process. This
reads /proc/PID/pagemap for every mapping that has resident pages and
counts the distinct physical pages resident in any of the processes: the
RAM the group holds. Prints JSON: {"union_mb", "sum_rss_mb", "shared_mb",
"per_pid": {pid: rss_mb}}. A page the group shares with processes outside
it is counted in full (it stays resident while the group runs).
"""
import json
import os
import struct
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")
PRESENT = 1 << 63
PFN_MASK = (1 << 55) - 1
CHUNK = 1 << 16  # pagemap entries read at a time


def resident_ranges(pid):
    """(start, end) of each mapping with resident pages, from smaps."""
    ranges = []
    start = end = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split(maxsplit=1)[0]
            if "-" in head and not head.endswith(":"):
                a, b = head.split("-")
                start, end = int(a, 16), int(b, 16)
            elif head == "Rss:" and int(line.split()[1]) > 0:
                ranges.append((start, end))
    return ranges


def frames(pid):
    out = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pm:
        for start, end in resident_ranges(pid):
            first, last = start // PAGE, end // PAGE
            for at in range(first, last, CHUNK):
                n = min(CHUNK, last - at)
                pm.seek(at * 8)
                data = pm.read(n * 8)
                for entry in struct.unpack(f"<{len(data) // 8}Q", data):
                    if entry & PRESENT:
                        out.add(entry & PFN_MASK)
    return out


def main():
    pids = [int(p) for p in sys.argv[1:]]
    if not pids:
        sys.exit(__doc__)
    union = set()
    per_pid = {}
    total = 0
    for pid in pids:
        f = frames(pid)
        if f and max(f) == 0:
            sys.exit("page frame numbers read as 0: run as root")
        per_pid[pid] = round(len(f) * PAGE / 2**20, 1)
        total += len(f)
        union |= f
    print(
        json.dumps(
            {
                "union_mb": round(len(union) * PAGE / 2**20, 1),
                "sum_rss_mb": round(total * PAGE / 2**20, 1),
                "shared_mb": round((total - len(union)) * PAGE / 2**20, 1),
                "per_pid": per_pid,
            }
        )
    )


if __name__ == "__main__":
    main()
