// The test S3 server (SeaweedFS on 127.0.0.1, started by `trove-test-s3`)
// for the desktop tests.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const s3Bin = process.env.TROVE_TEST_S3_BIN ?? join(repo, "target/debug/trove-test-s3");

/**
 * Starts the server; resolves to its details (endpoint, bucket, keys) and a
 * stop function. The server stops when its stdin closes: on `stop()`, or
 * when this process ends. Once it is up it no longer keeps this process
 * alive: a test that failed before its `stop()` (in CI, a driver that did
 * not start, outside the test's try) left the server running and the test
 * file waiting on it until CI's time ran out.
 */
export function startS3() {
  assert.ok(existsSync(s3Bin), `test S3 server not found at ${s3Bin}; build the workspace first`);
  const child = spawn(s3Bin, [], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      lines.close();
      child.unref();
      child.stdin.unref();
      child.stdout.unref();
      resolvePromise({ ...JSON.parse(line), stop: () => child.stdin.end() });
    });
    child.once("exit", (code) => reject(new Error(`the test S3 server exited (${code})`)));
  });
}
