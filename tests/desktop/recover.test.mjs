// "Recover a library from a bucket" on the desktop's first screen, in the
// real app: a library made and synced by the `trove` CLI to the test S3
// server; a fresh app (an empty library) recovers it from the bucket alone
// with keys typed into the form; the next start opens it in place of the
// empty one — every asset in the grid with its thumbnail, the target set
// and its keys in the keychain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

import { Session, startDriver, stopDriver } from "./webdriver.mjs";
import { startS3 } from "./s3.mjs";
import { writePhotos } from "./fixtures.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const app = process.env.TROVE_DESKTOP_BIN ?? join(repo, "target/debug/trove-desktop");
const cli = process.env.TROVE_BIN ?? join(dirname(app), "trove");
const artifacts = join(repo, "tests/artifacts");
mkdirSync(artifacts, { recursive: true });
process.env.TROVE_ARTIFACTS ??= artifacts;

test("recover a library from a bucket on the first screen; it opens at the next start", { timeout: 240_000 }, async () => {
  assert.ok(existsSync(app), `desktop binary not found at ${app}; build it first`);
  assert.ok(existsSync(cli), `trove CLI not found at ${cli}; build the workspace first`);
  const tmp = mkdtempSync(join(tmpdir(), "trove-recover-"));
  const photos = join(tmp, "photos");
  const names = writePhotos(photos, 6);
  const s3 = await startS3();
  let driver;
  let session;
  try {
    // The library that was lost: made and synced by the CLI.
    const lost = join(tmp, "lost-library");
    const url = `s3://${s3.bucket}/desktop-recover`;
    const cliEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: s3.access_key,
      AWS_SECRET_ACCESS_KEY: s3.secret_key,
      AWS_REGION: "us-east-1",
    };
    const run = (args) => {
      const r = spawnSync(cli, ["--library", lost, ...args], { env: cliEnv, encoding: "utf8" });
      assert.equal(r.status, 0, `trove ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    run(["add", photos, "--json"]);
    run(["thumbs", "--json"]);
    run(["title", join(photos, "2023-beach", names[0]), "Sandcastle at noon", "--json"]);
    run(["target", "set", url, "--endpoint", s3.endpoint, "--json"]);
    const synced = JSON.parse(run(["sync", "--json"]));
    assert.equal(synced.failed.length, 0, JSON.stringify(synced));
    rmSync(lost, { recursive: true, force: true });

    // A fresh app: the empty library's first screen offers the recovery.
    const library = join(tmp, "library");
    const env = {
      ...process.env,
      TROVE_LIBRARY: library,
      XDG_DATA_HOME: join(tmp, "xdg"),
      WEBKIT_DISABLE_COMPOSITING_MODE: "0",
      // The app's keys come from the form (and the keychain), not from here.
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
    };
    let base;
    ({ driver, base } = await startDriver(env));
    session = await Session.start(base, app);
    await session.waitFor("the first screen", async () => (await session.findAll("[data-testid=empty-recover]")).length === 1);
    await session.click("[data-testid=empty-recover]");
    await session.type("[data-testid=recover-url]", url);
    await session.type("[data-testid=recover-endpoint]", s3.endpoint);
    await session.type("[data-testid=recover-access-key]", s3.access_key);
    await session.type("[data-testid=recover-secret-key]", s3.secret_key);
    await session.click("[data-testid=recover-submit]");
    const recovered = await session.waitFor(
      "the recovery's result",
      async () => {
        const error = await session.exec("const e = document.querySelector('[data-testid=recover-error]'); return e ? e.textContent : null");
        if (error) throw new Error(`the recovery failed: ${error}`);
        return session.exec("const r = document.querySelector('[data-testid=recover-result]'); return r ? r.dataset.assets : false");
      },
      120_000,
    );
    assert.equal(recovered, String(names.length));
    assert.ok(existsSync(join(tmp, "library.recovered", "catalog.db")), "the recovered library waits beside the open one");
    // Still the empty library until the restart.
    assert.equal((await session.findAll("[data-testid=asset-cell]")).length, 0);
    await session.end();

    // The next start: the recovered library is in place of the empty one.
    session = await Session.start(base, app);
    await session.waitFor(
      "every recovered asset in the grid",
      async () => (await session.findAll("[data-testid=asset-cell]")).length === names.length,
      60_000,
    );
    await session.waitFor(
      "every thumbnail (fetched from the bucket)",
      async () =>
        session.exec(
          "return Array.from(document.querySelectorAll('[data-testid=asset-cell]')).every(c => { const i = c.querySelector('[data-testid=asset-thumb]'); return i && i.complete && i.naturalWidth > 0; })",
        ),
      60_000,
    );
    const gridText = await session.exec(
      "return Array.from(document.querySelectorAll('[data-testid=asset-cell]')).map(e => e.textContent).join('\\n')",
    );
    for (const name of names) assert.ok(gridText.includes(name), `grid shows ${name}`);
    const settings = await session.execAsync(
      "window.__TAURI_INTERNALS__.invoke('sync_settings').then((s) => done(s), (e) => done(String(e)))",
    );
    assert.equal(settings.url, url, JSON.stringify(settings));
    assert.equal(settings.credentials, "keychain", JSON.stringify(settings));
    // The curation came back too.
    const titles = await session.execAsync(
      "window.__TAURI_INTERNALS__.invoke('search_assets', { query: 'Sandcastle', sort: 'relevance', offset: 0, limit: 10, facets: false }).then((p) => done(p.total), (e) => done(String(e)))",
    );
    assert.equal(titles, 1);
    const aside = readdirSync(tmp).filter((n) => n.startsWith("library.replaced-"));
    assert.equal(aside.length, 1, `the empty library is kept aside: ${readdirSync(tmp)}`);
    assert.ok(!existsSync(join(tmp, "library.recovered")), "nothing left waiting");

    // Two originals go missing; Restore beside the folder brings them back
    // from the bucket, byte for byte, and they show as present again.
    const gone = [join(photos, "2023-beach", names[0]), join(photos, "2024-iceland", names[1])];
    const bytes = gone.map((p) => readFileSync(p));
    for (const p of gone) rmSync(p);
    await session.execAsync("window.__TAURI_INTERNALS__.invoke('rescan', { rootId: null }).then(() => done(true), (e) => done(String(e)))");
    await session.waitFor(
      "the folder's missing files",
      async () => session.exec("const m = document.querySelector('[data-testid=root-missing]'); return !!m && m.textContent.startsWith('2 ')"),
      60_000,
    );
    await session.click("[data-testid=root-restore]");
    await session.waitFor(
      "the restore's notice",
      async () => (await session.exec("return document.body.textContent")).includes("2 original(s) restored"),
      60_000,
    );
    gone.forEach((p, i) => assert.deepEqual(readFileSync(p), bytes[i], `${p} restored byte for byte`));
    await session.waitFor(
      "the folder without missing files",
      async () => (await session.findAll("[data-testid=root-missing]")).length === 0,
      60_000,
    );

    // The folder's place is gone (a new machine): it shows offline, offers
    // Locate… and Restore to… (a folder picker: driven here through the
    // same command the picker's answer goes to), and its originals come
    // back into the new place, which it is then watched at.
    const saved = names.map((n, i) => readFileSync(join(photos, i % 2 ? "2024-iceland" : "2023-beach", n)));
    rmSync(photos, { recursive: true, force: true });
    await session.execAsync("window.__TAURI_INTERNALS__.invoke('rescan', { rootId: null }).then(() => done(true), (e) => done(String(e)))");
    await session.waitFor("the folder offline", async () => (await session.findAll("[data-testid=root-restore-to]")).length === 1, 60_000);
    assert.equal((await session.findAll("[data-testid=root-locate]")).length, 1);
    const newPlace = join(tmp, "new-home", "Pictures");
    const rootId = await session.exec("return Number(document.querySelector('[data-testid=root-item]').dataset.rootId)");
    const restored = await session.execAsync(
      `window.__TAURI_INTERNALS__.invoke('restore_originals', { rootId: ${rootId}, to: ${JSON.stringify(newPlace)}, relocate: true }).then((r) => done(r), (e) => done(String(e)))`,
    );
    assert.equal(restored.restored, names.length, JSON.stringify(restored));
    names.forEach((n, i) =>
      assert.deepEqual(readFileSync(join(newPlace, i % 2 ? "2024-iceland" : "2023-beach", n)), saved[i], `${n} restored`),
    );
    await session.execAsync("window.__TAURI_INTERNALS__.invoke('rescan', { rootId: null }).then(() => done(true), (e) => done(String(e)))");
    await session.waitFor(
      "the folder watched at its new place, every file present",
      async () =>
        session.exec(
          `const r = document.querySelector('[data-testid=root-item]'); return !!r && r.dataset.state === 'online' && r.textContent.includes(${JSON.stringify(newPlace)}) && !r.querySelector('[data-testid=root-missing]')`,
        ),
      60_000,
    );
    assert.equal((await session.findAll("[data-testid=asset-cell]")).length, names.length);
  } finally {
    if (session) await session.end().catch(() => {});
    if (driver) await stopDriver(driver);
    s3.stop();
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
});
