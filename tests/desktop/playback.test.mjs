// The viewer on a machine whose GStreamer lacks an element the web view's
// player needs (here webvttenc, from gstreamer1.0-plugins-bad, hidden from
// GStreamer for this run only): a video with a subtitle stream, which the
// player could never start, gets a message naming the package to install
// and "Open in the system player" instead; a video without subtitles still
// plays. Run under Xvfb (see scripts/test.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Session, startDriver, stopDriver } from "./webdriver.mjs";
import { writeVideo } from "./fixtures.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const app = process.env.TROVE_DESKTOP_BIN ?? join(repo, "target/debug/trove-desktop");
const artifacts = join(repo, "tests/artifacts");
mkdirSync(artifacts, { recursive: true });
process.env.TROVE_ARTIFACTS ??= artifacts;

/** The file of the GStreamer plugin that holds `element` (gst-inspect-1.0). */
function pluginFile(element) {
  const out = spawnSync("gst-inspect-1.0", [element], { encoding: "utf8" });
  assert.equal(out.status, 0, `gst-inspect-1.0 ${element}: ${out.stderr} (scripts/deps.sh installs it)`);
  const m = out.stdout.match(/^\s*Filename\s+(\S+)$/m);
  assert.ok(m, `no Filename in gst-inspect-1.0 ${element}: ${out.stdout}`);
  return m[1];
}

test("a video the player cannot start says which package to install and opens in the system player", { timeout: 180_000 }, async () => {
  assert.ok(existsSync(app), `desktop binary not found at ${app}; build it first`);
  const tmp = mkdtempSync(join(tmpdir(), "trove-playback-"));
  const photos = join(tmp, "videos");
  mkdirSync(photos, { recursive: true });
  writeVideo(join(photos, "subtitled.mp4"), "Hello fjord");
  writeVideo(join(photos, "plain.mp4"), null);

  // Every system plugin but the one with webvttenc, in a registry of its own.
  const hidden = pluginFile("webvttenc");
  const plugins = join(tmp, "gst-plugins");
  mkdirSync(plugins);
  for (const f of readdirSync(dirname(hidden))) {
    if (f.endsWith(".so") && f !== basename(hidden)) symlinkSync(join(dirname(hidden), f), join(plugins, f));
  }
  // The desktop's opener: records what it was asked to open.
  const bin = join(tmp, "bin");
  const opened = join(tmp, "opened.txt");
  mkdirSync(bin);
  writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(join(bin, "xdg-open"), 0o755);

  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    GST_PLUGIN_SYSTEM_PATH: plugins,
    GST_PLUGIN_PATH: "",
    GST_REGISTRY: join(tmp, "gst-registry.bin"),
    TROVE_LIBRARY: join(tmp, "library"),
    XDG_DATA_HOME: join(tmp, "xdg"),
    WEBKIT_DISABLE_COMPOSITING_MODE: "0",
  };
  const { driver, base } = await startDriver(env);
  let session;
  try {
    session = await Session.start(base, app);
    await session.waitFor("the page to load", async () => (await session.findAll("[data-testid=add-path-input]")).length === 1);
    const support = await session.execAsync(
      "window.__TAURI_INTERNALS__.invoke('playback_support').then((s) => done(JSON.stringify(s)), (e) => done(String(e)))",
    );
    const missing = JSON.parse(support).missing;
    assert.deepEqual(
      missing.map((m) => [m.element, m.package, m.affects]),
      [["webvttenc", "gstreamer1.0-plugins-bad", "text"]],
      support,
    );

    await session.type("[data-testid=add-path-input]", photos);
    await session.click("[data-testid=add-path-submit]");
    await session.waitFor("both videos in the grid", async () => (await session.findAll("[data-testid=asset-cell]")).length === 2, 60_000);
    const openByName = (name) =>
      session.exec(
        `const c = Array.from(document.querySelectorAll('[data-testid=asset-cell]')).find(e => e.textContent.includes(${JSON.stringify(name)}));
         c.querySelector('[data-testid=asset-open]').dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));`,
      );
    // The subtitle stream is known once its WebVTT is made.
    await session.waitFor(
      "the subtitles made",
      async () =>
        session.execAsync(
          `window.__TAURI_INTERNALS__.invoke('list_assets', { offset: 0, limit: 10 })
             .then((p) => Promise.all(p.assets.map((a) => window.__TAURI_INTERNALS__.invoke('asset_detail', { id: a.id }))))
             .then((ds) => done(ds.some((d) => d.derivatives.some((x) => x.variant.startsWith('subtitles-')))), () => done(false))`,
        ),
      60_000,
    );

    await openByName("subtitled.mp4");
    const message = await session.waitFor("the message instead of the player", async () => {
      const els = await session.findAll("[data-testid=viewer-cannot-play]");
      return els.length === 1 ? session.text("[data-testid=viewer-cannot-play]") : false;
    });
    assert.match(message, /webvttenc/);
    assert.equal(await session.text("[data-testid=viewer-install]"), "sudo apt install gstreamer1.0-plugins-bad");
    assert.equal((await session.findAll("[data-testid=viewer-video]")).length, 0, "no player that never starts");
    writeFileSync(join(artifacts, "desktop-cannot-play.png"), await session.screenshot());
    await session.click("[data-testid=viewer-open-system]");
    await session.waitFor("the system player to be asked", async () => existsSync(opened) && readFileSync(opened, "utf8").trim());
    assert.equal(readFileSync(opened, "utf8").trim(), join(photos, "subtitled.mp4"));
    await session.exec("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))");
    await session.waitFor("the viewer to close", async () => (await session.findAll("[data-testid=viewer]")).length === 0);

    // A video without a subtitle stream needs no webvttenc: it plays.
    await openByName("plain.mp4");
    await session.waitFor("the video player", async () => (await session.findAll("[data-testid=viewer-video]")).length === 1);
    await session.exec("const v = document.querySelector('[data-testid=viewer-video]'); v.muted = true; v.play().catch(() => {});");
    await session.waitFor(
      "the plain video to play",
      async () => session.exec("const v = document.querySelector('[data-testid=viewer-video]'); return v.currentTime > 0.2 && !v.error"),
      30_000,
    );
  } finally {
    if (session) await session.end().catch(() => {});
    await stopDriver(driver);
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
});
