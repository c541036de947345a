#!/usr/bin/env python3
"""Draws Trove's app icons (icons/*.png) with only the standard library.

Run from the repository root: python3 icons/make_icons.py
"""
import math
import struct
import zlib


def draw(size, path):
    rows = []
    r = size * 0.18
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            cx = min(max(x + .5, r), size - r)
            cy = min(max(y + .5, r), size - r)
            d = math.hypot(x + .5 - cx, y + .5 - cy)
            a = max(0.0, min(1.0, r - d + .5)) if d > 0 else 1.0
            col = (22, 122, 118)
            u, v = (x + .5) / size, (y + .5) / size
            front = 0.24 < u < 0.72 and 0.30 < v < 0.74
            if front:
                col = (236, 246, 244)
            if 0.30 < u < 0.78 and 0.24 < v < 0.68 and not front:
                col = (160, 214, 206)
            if 0.30 < u < 0.66 and 0.36 < v < 0.68:
                col = (57, 160, 150)
            if (u - 0.56) ** 2 + (v - 0.45) ** 2 < 0.0025:
                col = (250, 214, 120)
            row += bytes(col) + bytes([int(a * 255)])
        rows.append(bytes(row))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)

    data = (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


for s, name in [(32, "32x32.png"), (128, "128x128.png"), (256, "128x128@2x.png"), (512, "icon.png")]:
    draw(s, "icons/" + name)
