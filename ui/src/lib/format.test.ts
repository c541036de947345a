import { describe, expect, it } from "vitest";

import {
  baseName,
  bytes,
  captured,
  count,
  editStep,
  eta,
  etaSeconds,
  phaseLabel,
  rateMBps,
  sidecarCounts,
} from "./format";

describe("format", () => {
  it("formats capture dates as YYYY-MM-DD HH:MM", () => {
    expect(captured("2023-06-01T12:30:00")).toBe("2023-06-01 12:30");
    expect(captured("2023-06-01T12:30:45.123Z")).toBe("2023-06-01 12:30");
    expect(captured("2023-06-01")).toBe("2023-06-01");
    expect(captured(null)).toBeNull();
    expect(captured("yesterday")).toBeNull();
  });

  it("counts with singular and plural", () => {
    expect(count(1, "asset")).toBe("1 asset");
    expect(count(12345, "asset")).toBe("12,345 assets");
    expect(count(0, "file")).toBe("0 files");
  });

  it("tells an undo or redo step", () => {
    expect(editStep("Undid", "rating 4", 12)).toBe("Undid rating 4 on 12 assets");
    expect(editStep("Redid", "flag pick", 1)).toBe("Redid flag pick on 1 asset");
  });

  it("tells how the sidecars stand", () => {
    expect(sidecarCounts(1234, 5)).toBe("1,234 written · 5 waiting");
    expect(sidecarCounts(0, 0)).toBe("0 written · 0 waiting");
    expect(sidecarCounts(1, 12345)).toBe("1 written · 12,345 waiting");
  });

  it("formats sizes", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(1_500_000)).toBe("1.50 MB");
    expect(bytes(25_000_000_000)).toBe("25.0 GB");
  });

  it("computes rate and time left", () => {
    expect(rateMBps(50_000_000, 2000)).toBe(25);
    expect(rateMBps(0, 2000)).toBeNull();
    expect(etaSeconds(50_000_000, 150_000_000, 2000)).toBe(4);
    expect(etaSeconds(10, 10, 2000)).toBeNull();
    expect(eta(4)).toBe("about 4 s left");
    expect(eta(600)).toBe("about 10 min left");
    expect(eta(4980)).toBe("about 1 h 23 min left");
    expect(eta(null)).toBeNull();
  });

  it("names phases and folders", () => {
    expect(phaseLabel("discover")).toBe("Finding files…");
    expect(phaseLabel("hash")).toBe("Reading files…");
    expect(phaseLabel("finish")).toBe("Finishing…");
    expect(baseName("/home/me/Photos/")).toBe("Photos");
    expect(baseName("C:\\Users\\me\\Pictures")).toBe("Pictures");
    expect(baseName("/")).toBe("/");
  });
});
