// Curating in the desktop app, through its real web view: rate, flag and
// label the selected photo with Lightroom's keys, see the marks on its
// cell, find it with `rating:>=4` and `flag:pick`, tag it, undo with
// Ctrl+Z; make an album in the sidebar, add the selection to it, open it;
// and in the viewer's panel set a title and add a keyword. Run under Xvfb
// (see scripts/test.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
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
  const { driver, base } = await startDriver(env);
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

    // An album made in the sidebar; the selection (two photos) goes in.
    await session.click("[data-testid=album-new]");
    await session.type("[data-testid=album-create-input]", "Iceland 2024");
    await session.click("[data-testid=album-create-submit]");
    await session.waitFor("the album in the sidebar", async () =>
      (await session.findAll('[data-testid=album-item][data-album-path="Iceland 2024"]')).length === 1,
    );
    // Making it opens the (empty) album; back to all photos to pick two.
    await session.click("[data-testid=folder-all]");
    await session.waitFor("all four photos", async () => (await session.findAll("[data-testid=asset-cell]")).length === 4);
    await session.exec(`document.querySelector('${cell} [data-testid=asset-open]').click()`);
    const second = await session.exec(
      `const c = Array.from(document.querySelectorAll('[data-testid=asset-cell]')).find(e => e.dataset.assetId !== ${JSON.stringify(id)});
       c.querySelector('[data-testid=asset-open]').dispatchEvent(new MouseEvent('click', { bubbles: true, ctrlKey: true }));
       return c.dataset.assetId;`,
    );
    await session.waitFor("two selected", async () =>
      session.exec("const s = document.querySelector('[data-testid=selection-album-add]'); return !!s && !s.disabled"),
    );
    await session.exec(
      `const s = document.querySelector('[data-testid=selection-album-add]');
       const o = Array.from(s.options).find(o => o.textContent === 'Iceland 2024');
       s.value = o.value; s.dispatchEvent(new Event('change', { bubbles: true }));`,
    );
    await session.waitFor("the album to hold two", async () =>
      (await session.exec(
        "const c = document.querySelector('[data-testid=album-item][data-album-path=\"Iceland 2024\"] [data-testid=album-count]'); return c ? c.textContent.trim() : ''",
      )) === "2",
    );
    await session.exec("document.querySelector('[data-testid=album-item][data-album-path=\"Iceland 2024\"] [data-testid=album-show]').click()");
    await session.waitFor("the album view with its two photos", async () => {
      const ids = await session.exec("return Array.from(document.querySelectorAll('[data-testid=asset-cell]')).map(c => c.dataset.assetId).sort().join(',')");
      return ids === [id, second].sort().join(",");
    });
    const inAlbum = await search('album:"Iceland 2024"');
    assert.deepEqual(inAlbum.split(",").sort(), [id, second].sort(), "found by the album's name");

    // The viewer's panel: a title and a keyword, typed (the curation keys
    // do nothing while typing: "5" in the title is text, not five stars).
    await session.exec(
      `const c = document.querySelector('[data-testid=asset-cell][data-asset-id="${id}"]');
       c.querySelector('[data-testid=asset-open]').dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));`,
    );
    await session.waitFor("the viewer's panel", async () => (await session.findAll("[data-testid=viewer-title-input]")).length === 1);
    await session.type("[data-testid=viewer-title-input]", "Harbour 5");
    await session.exec("document.querySelector('[data-testid=viewer-title-input]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))");
    const curationOf = async () =>
      JSON.parse(
        await session.execAsync(
          `window.__TAURI_INTERNALS__.invoke('asset_detail', { id: ${JSON.stringify(id)} }).then((d) => done(JSON.stringify(d.curation)), (e) => done(JSON.stringify({ error: String(e) })))`,
        ),
      );
    // The title is saved (and the panel shown again with it) before the
    // keyword is typed.
    await session.waitFor("the title saved", async () => (await curationOf()).title === "Harbour 5");
    await session.waitFor("the panel to show it", async () =>
      (await session.exec("return document.querySelector('[data-testid=viewer]').textContent")).includes("Harbour 5"),
    );
    // The field has the keyboard before the first key (a key typed while
    // nothing does goes to the window: "/" would open the search).
    await session.exec("document.querySelector('[data-testid=viewer-keyword-input]').focus()");
    await session.waitFor("the keyword field to have the keyboard", async () =>
      session.exec("return document.activeElement === document.querySelector('[data-testid=viewer-keyword-input]')"),
    );
    await session.type("[data-testid=viewer-keyword-input]", "Birds/Puffin");
    await session.waitFor("the keyword typed", async () =>
      (await session.exec("return document.querySelector('[data-testid=viewer-keyword-input]').value")) === "Birds/Puffin",
    );
    await session.exec("document.querySelector('[data-testid=viewer-keyword-input]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))");
    await session.waitFor("the keyword saved", async () => (await curationOf()).keywords?.includes("Birds|Puffin"));
    await session.waitFor("the keyword chip", async () =>
      (await session.findAll('[data-testid=viewer-keyword-chip][data-keyword="Birds|Puffin"]')).length === 1,
    );
    const detail = await session.execAsync(
      `window.__TAURI_INTERNALS__.invoke('asset_detail', { id: ${JSON.stringify(id)} }).then((d) => done(JSON.stringify(d.curation)), (e) => done(String(e)))`,
    );
    const c = JSON.parse(detail);
    assert.equal(c.title, "Harbour 5", detail);
    assert.equal(c.rating, 4, "typing 5 in the title did not rate: " + detail);
    assert.ok(c.keywords.includes("Birds|Puffin"), detail);
    assert.deepEqual(c.albums, ["Iceland 2024"], detail);
    writeFileSync(join(artifacts, "desktop-curation-viewer.png"), await session.screenshot());

    // Sidecars, turned on in the Sync panel: the background job writes the
    // curation beside the original, which exiftool reads back.
    await session.exec("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))");
    await session.waitFor("the viewer to close", async () => (await session.findAll("[data-testid=viewer]")).length === 0);
    await session.click("[data-testid=open-sync]");
    await session.waitFor("the sidecar setting", async () =>
      session.exec("const c = document.querySelector('[data-testid=sidecars-write]'); return !!c && !c.disabled"),
    );
    await session.click("[data-testid=sidecars-write]");
    // The setting reached the library (a lost click fails here, by name,
    // rather than as a missing file).
    await session.waitFor("the library to write sidecars", async () =>
      session.execAsync(
        "window.__TAURI_INTERNALS__.invoke('sidecar_status').then((s) => done(s.mode === 'write'), () => done(false))",
      ),
    );
    const rel = await session.execAsync(
      `window.__TAURI_INTERNALS__.invoke('asset_detail', { id: ${JSON.stringify(id)} }).then((d) => done(d.files[0].rel_path), (e) => done(String(e)))`,
    );
    const sidecar = join(photos, `${rel}.xmp`);
    await session.waitFor("the sidecar written beside the original", async () => existsSync(sidecar), 60_000);
    const read = spawnSync("exiftool", ["-j", "-XMP:all", sidecar], { encoding: "utf8" });
    assert.equal(read.status, 0, read.stderr);
    const x = JSON.parse(read.stdout)[0];
    assert.equal(x.Rating, 4, read.stdout);
    assert.equal(x.Label, "Red", read.stdout);
    assert.equal(x.Title, "Harbour 5", read.stdout);
    assert.equal(x.HierarchicalSubject, "Birds|Puffin", read.stdout);
    await session.waitFor("the status to say so", async () =>
      /written/.test(await session.exec("const s = document.querySelector('[data-testid=sidecars-status]'); return s ? s.textContent : ''")),
    );
  } finally {
    if (session) await session.end().catch(() => {});
    await stopDriver(driver);
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
});
