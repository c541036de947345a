import { describe, expect, it } from "vitest";

import { RateMeter, eta } from "./jobRates";

describe("RateMeter", () => {
  it("measures finished jobs per second over its window", () => {
    const m = new RateMeter();
    expect(m.add("make_proxies", 0, 100)).toBeNull();
    expect(m.add("make_proxies", 2000, 120)).toBe(10);
    expect(m.add("make_proxies", 4000, 160)).toBe(15);
    // Old readings leave the window.
    m.add("make_proxies", 30_000, 160);
    expect(m.rate("make_proxies")).toBe(0);
    expect(m.rate("scan_root")).toBeNull();
  });
});

describe("eta", () => {
  it("reads naturally and is null when it cannot be known", () => {
    expect(eta(100, 10)).toBe("10 s");
    expect(eta(6000, 10)).toBe("10 min");
    expect(eta(48_000, 10)).toBe("1 h 20 min");
    expect(eta(5, 0)).toBeNull();
    expect(eta(5, null)).toBeNull();
    expect(eta(0, 3)).toBeNull();
  });
});
