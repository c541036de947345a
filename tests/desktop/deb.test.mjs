// The Debian package (`tauri bundle --bundles deb`, made by scripts/test.sh
// before this runs): its control fields name what Trove needs at run time,
// it holds the app, its menu entry and icons, and the packaged binary
// starts and opens a library. Run under Xvfb.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const deb = process.env.TROVE_DEB ?? join(repo, "target/debug/bundle/deb/Trove_0.1.0_amd64.deb");

test("the .deb declares its dependencies, installs the app and its menu entry, and the app starts", { timeout: 60_000 }, async () => {
  assert.ok(existsSync(deb), `no package at ${deb}; build the workspace, then package it with: (cd src-tauri && ../ui/node_modules/.bin/tauri bundle --debug --bundles deb --ci)`);
  const field = (name) => execFileSync("dpkg-deb", ["-f", deb, name], { encoding: "utf8" }).trim();
  assert.equal(field("Package"), "trove");
  const depends = field("Depends").split(",").map((d) => d.trim().split(" ")[0]);
  // The web view's player: every package src-tauri/gstreamer-elements.txt
  // names (the elements WebKitGTK needs to play what Trove hands it).
  const gstreamer = readFileSync(join(repo, "src-tauri/gstreamer-elements.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim() && !l.trim().startsWith("#"))
    .map((l) => l.split("|")[1].trim());
  assert.ok(gstreamer.includes("gstreamer1.0-plugins-bad"), `the list names plugins-bad: ${gstreamer}`);
  for (const need of ["libwebkit2gtk-4.1-0", "ffmpeg", "poppler-utils", "libvips-tools", "libraw-bin", "libheif1", ...gstreamer]) {
    assert.ok(depends.includes(need), `Depends names ${need}: ${depends.join(", ")}`);
  }

  const root = mkdtempSync(join(tmpdir(), "trove-deb-"));
  try {
    await checkUnpacked(root);
  } finally {
    // The unpacked package is about 100 MB: never leave it behind.
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  }
});

async function checkUnpacked(root) {
  execFileSync("dpkg-deb", ["-x", deb, root]);
  const bin = join(root, "usr/bin/trove-desktop");
  assert.ok(existsSync(bin), "usr/bin/trove-desktop");
  const entry = readFileSync(join(root, "usr/share/applications/Trove.desktop"), "utf8");
  assert.match(entry, /^Exec=trove-desktop/m);
  assert.match(entry, /^Icon=trove-desktop/m);
  assert.ok(existsSync(join(root, "usr/share/icons/hicolor/128x128/apps/trove-desktop.png")));

  // The packaged binary starts, opens (creates) its library and keeps running.
  const library = join(root, "library");
  const app = spawn(bin, [], { env: { ...process.env, TROVE_LIBRARY: library }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  app.stderr.on("data", (d) => (stderr += d));
  let exited = null;
  app.on("exit", (code) => (exited = code));
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(library, "catalog.db")) && exited === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1500));
  const alive = exited === null;
  app.kill("SIGTERM");
  if (exited === null) await new Promise((r) => app.once("exit", r));
  assert.ok(alive, `the app exited (${exited}): ${stderr.slice(-2000)}`);
  assert.ok(existsSync(join(library, "catalog.db")), "the app created its catalog");
}
