// Curating in the desktop app, through its real web view: rate, flag and
// label the selected photo with Lightroom's keys, see the marks on its
// cell, find it with `rating:>=4` and `flag:pick`, tag it (through the
// edit command: the keyword panel is not built yet), and undo with
// Ctrl+Z. Run under Xvfb (see scripts/test.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Session, startDriver, stopDriver } from "./webdriver.mjs";
import { writePhotos } from "./fixtures.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const app = process.env.TROVE_DESKTOP_BIN ?? join(repo, "target/debug/trove-desktop");
const artifacts = join(repo, "tests/artifacts");
mkdirSync(artifacts, { recursive: true });

test("rate, flag and label with keys, search by them, tag, and undo", { timeout: 180_000 }, async () => {
  assert.ok(existsSync(app), `desktop binary not found at ${app}; build it first`);
  const tmp = mkdtempSync(join(tmpdir(), "trove-curation-"));
  const photos = join(tmp, "photos");
  const names = writePhotos(photos, 4);
  const env = { ...process.env, TROVE_LIBRARY: join(tmp, "library"), XDG_DATA_HOME: join(tmp, "xdg"), WEBKIT_DISABLE_COMPOSITING_MODE: "0" };
  const { driver, base } = await startDriver(6444 + Math.floor(Math.random() * 1000), env);
  let session;
  try {
    session = await Session.start(base, app);
    await session.waitFor("the page to load", async () => (await session.findAll("[data-testid=add-path-input]")).length === 1);
    await session.type("[data-testid=add-path-input]", photos);
    await session.click("[data-testid=add-path-submit]");
    await session.waitFor("four photos in the grid", async () => (await session.findAll("[data-testid=asset-cell]")).length === 4, 60_000);

    // Select one photo (a click) and press keys as a photographer culls.
    const target = names[1];
    const id = await session.exec(
      `const c = Array.from(document.querySelectorAll('[data-testid=asset-cell]')).find(e => e.textContent.includes(${JSON.stringify(target)}));
       c.querySelector('[data-testid=asset-open]').click();
       return c.dataset.assetId;`,
    );
    const cell = `[data-testid=asset-cell][data-asset-id="${id}"]`;
    const press = (key, extra = "") =>
      session.exec(`document.querySelector('[data-testid=asset-grid]').dispatchEvent(new KeyboardEvent('keydown', { key: ${JSON.stringify(key)}, bubbles: true${extra} }))`);
    const mark = (what, attr) =>
      session.exec(`const e = document.querySelector('${cell} [data-testid=${what}]'); return e ? e.getAttribute('${attr}') : null`);

    await press("4");
    await session.waitFor("four stars on the cell", async () => (await mark("cell-rating", "aria-label")) === "4 stars");
    await press("p");
    await session.waitFor("the pick flag on the cell", async () => (await mark("cell-flag", "data-flag")) === "pick");
    await press("6");
    await session.waitFor("the red label on the cell", async () => (await mark("cell-label", "data-label")) === "red");
    const others = await session.exec(
      `return Array.from(document.querySelectorAll('[data-testid=asset-cell]')).filter(c => c.dataset.assetId !== ${JSON.stringify(id)} && c.querySelector('[data-testid=cell-rating], [data-testid=cell-flag], [data-testid=cell-label]')).length`,
    );
    assert.equal(others, 0, "only the selected photo was marked");
    writeFileSync(join(artifacts, "desktop-curation.png"), await session.screenshot());

    // The marks are searchable at once.
    const search = async (q) => {
      await session.exec(
        `const i = document.querySelector('[data-testid=search-input]'); i.value = ${JSON.stringify(q)}; i.dispatchEvent(new Event('input', { bubbles: true }));`,
      );
      // The status names the query it shows results of.
      return session.waitFor(`the results of ${q}`, async () => {
        const shown = await session.exec("const s = document.querySelector('[data-testid=search-status]'); return s ? s.dataset.query : null");
        if (shown !== q) return false;
        return session.exec("return Array.from(document.querySelectorAll('[data-testid=asset-cell]')).map(c => c.dataset.assetId).join(',')");
      });
    };
    assert.equal(await search("rating:>=4"), id);
    assert.equal(await search("flag:pick label:red"), id);

    // Keywords (the panel is not built yet: the edit command, as it would call it).
    const tagged = await session.execAsync(
      `window.__TAURI_INTERNALS__.invoke('edit_assets', { ids: [${JSON.stringify(id)}], query: null, change: { set: 'keywords', add: ['Places/Iceland/Reykjavik'], remove: [] } })
         .then((e) => done(JSON.stringify(e)), (e) => done(JSON.stringify(e)))`,
    );
    assert.equal(JSON.parse(tagged).summary, "keywords +Places|Iceland|Reykjavik", tagged);
    assert.equal(await search("keyword:Places"), id);
    const refused = await session.execAsync(
      `window.__TAURI_INTERNALS__.invoke('edit_assets', { ids: [${JSON.stringify(id)}], query: null, change: { set: 'rating', rating: 9 } })
         .then((e) => done('accepted ' + JSON.stringify(e)), (e) => done(JSON.stringify(e)))`,
    );
    assert.equal(JSON.parse(refused).code, "curation_invalid", refused);

    // Ctrl+Z takes back the newest step (the keyword), then the label.
    await session.exec(
      "const i = document.querySelector('[data-testid=search-input]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));",
    );
    await session.waitFor("all four photos again", async () => (await session.findAll("[data-testid=asset-cell]")).length === 4);
    await press("z", ", ctrlKey: true");
    await session.waitFor("the undo notice", async () =>
      (await session.exec("return Array.from(document.querySelectorAll('[data-testid=notice-message]')).map(n => n.textContent).join(' | ')")).includes(
        "Undid keywords +Places|Iceland|Reykjavik",
      ),
    );
    await press("z", ", ctrlKey: true");
    await session.waitFor("the label gone", async () => (await mark("cell-label", "data-label")) === null);
    assert.equal(await mark("cell-rating", "aria-label"), "4 stars", "the rating stays");
    await press("z", ", ctrlKey: true, shiftKey: true");
    await session.waitFor("the label back after redo", async () => (await mark("cell-label", "data-label")) === "red");
  } finally {
    if (session) await session.end().catch(() => {});
    await stopDriver(driver);
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
});
