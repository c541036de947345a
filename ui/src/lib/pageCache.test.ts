import { describe, expect, it } from "vitest";

import { PageCache, type Page } from "./pageCache";

/** A fake backend over `total` numbered items whose answers we release by hand. */
function backend(total: number) {
  const calls: { offset: number; limit: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const fetcher = (offset: number, limit: number) =>
    new Promise<Page<number>>((resolve, reject) => {
      calls.push({
        offset,
        limit,
        resolve: () => {
          const items: number[] = [];
          for (let i = offset; i < Math.min(total, offset + limit); i++) items.push(i);
          resolve({ total, items });
        },
        reject,
      });
    });
  return { calls, fetcher, setTotal: (n: number) => (total = n) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("PageCache", () => {
  it("fetches each needed page once and serves items from it", async () => {
    const b = backend(1000);
    let changes = 0;
    const cache = new PageCache(b.fetcher, { pageSize: 200, onChange: () => changes++ });
    cache.ensure(150, 250);
    cache.ensure(150, 250);
    expect(b.calls.map((c) => c.offset)).toEqual([0, 200]);
    expect(cache.get(160)).toBeUndefined();
    expect(cache.isLoading(160)).toBe(true);
    b.calls.forEach((c) => c.resolve());
    await tick();
    expect(cache.get(160)).toBe(160);
    expect(cache.get(399)).toBe(399);
    expect(cache.total).toBe(1000);
    expect(changes).toBe(2);
    cache.ensure(150, 250);
    expect(b.calls.length).toBe(2);
  });

  it("asks for page 0 when nothing is in view, to learn the total", async () => {
    const b = backend(0);
    const cache = new PageCache(b.fetcher);
    cache.ensure(0, 0);
    expect(b.calls.length).toBe(1);
    b.calls[0].resolve();
    await tick();
    expect(cache.total).toBe(0);
  });

  it("keeps old pages after invalidate until fresh ones arrive", async () => {
    const b = backend(10);
    const cache = new PageCache(b.fetcher, { pageSize: 200 });
    cache.ensure(0, 10);
    b.calls[0].resolve();
    await tick();
    b.setTotal(20);
    cache.invalidate();
    expect(b.calls.length).toBe(2);
    expect(cache.get(5)).toBe(5);
    b.calls[1].resolve();
    await tick();
    expect(cache.total).toBe(20);
    expect(cache.get(15)).toBe(15);
  });

  it("drops answers that arrive after an invalidate", async () => {
    const b = backend(10);
    const cache = new PageCache(b.fetcher);
    cache.ensure(0, 10);
    cache.invalidate();
    b.setTotal(3);
    b.calls[1].resolve();
    await tick();
    b.setTotal(10);
    b.calls[0].resolve(); // the old answer, now out of date
    await tick();
    expect(cache.total).toBe(3);
    expect(cache.get(5)).toBeUndefined();
  });

  it("reports a failed page once and retries it after invalidate", async () => {
    const b = backend(10);
    const errors: unknown[] = [];
    const cache = new PageCache(b.fetcher, { onError: (e) => errors.push(e) });
    cache.ensure(0, 10);
    b.calls[0].reject({ code: "io", message: "disk went away" });
    await tick();
    expect(errors).toEqual([{ code: "io", message: "disk went away" }]);
    cache.ensure(0, 10);
    expect(b.calls.length).toBe(1);
    cache.invalidate();
    expect(b.calls.length).toBe(2);
  });

  it("evicts the pages farthest from view", async () => {
    const b = backend(10_000);
    const cache = new PageCache(b.fetcher, { pageSize: 100, maxPages: 3 });
    for (let page = 0; page < 6; page++) {
      cache.ensure(page * 100, page * 100 + 50);
      b.calls[page].resolve();
      await tick();
    }
    expect(cache.get(550)).toBe(550);
    expect(cache.get(450)).toBe(450);
    expect(cache.get(350)).toBe(350);
    expect(cache.get(50)).toBeUndefined();
  });

  it("finds a loaded item's index, and nothing it has not loaded", async () => {
    const b = backend(1000);
    const cache = new PageCache(b.fetcher, { pageSize: 200 });
    cache.ensure(0, 10);
    cache.ensure(400, 410);
    b.calls.forEach((c) => c.resolve());
    await tick();
    expect(cache.indexWhere((n) => n === 7)).toBe(7);
    expect(cache.indexWhere((n) => n === 405)).toBe(405);
    expect(cache.indexWhere((n) => n === 250)).toBeNull();
  });
});
