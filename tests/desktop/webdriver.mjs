// A minimal W3C WebDriver client over fetch: enough to drive the Trove
// desktop app through tauri-driver, with no dependencies.
import { createServer } from "node:net";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, application, timeoutMs = 60000) {
    const body = {
      capabilities: {
        alwaysMatch: { browserName: "wry", "tauri:options": { application } },
      },
    };
    const res = await call(base, "POST", "/session", body, timeoutMs);
    return new Session(base, res.sessionId);
  }

  cmd(method, path, body, timeoutMs) {
    return call(this.base, method, `/session/${this.id}${path}`, body, timeoutMs);
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return v[ELEMENT];
  }

  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => e[ELEMENT]);
  }

  async type(css, text) {
    const el = await this.find(css);
    await this.cmd("POST", `/element/${el}/value`, { text });
  }

  async click(css) {
    const el = await this.find(css);
    // WebKitWebDriver does not scroll an element inside a scrolled box (a
    // long dialog) into view before it clicks: that is done here, as a
    // person would scroll to it, to the middle (clear of the notices at the
    // window's foot, which would take the click).
    await this.exec("arguments[0].scrollIntoView({ block: 'center' })", [{ [ELEMENT]: el }]);
    await this.cmd("POST", `/element/${el}/click`, {});
  }

  async text(css) {
    const el = await this.find(css);
    return this.cmd("GET", `/element/${el}/text`);
  }

  exec(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Runs an async script (up to `timeoutMs`); it calls `done(value)` (its last argument) when finished. */
  async execAsync(script, args = [], timeoutMs = 120000) {
    await this.cmd("POST", "/timeouts", { script: timeoutMs });
    return this.cmd(
      "POST",
      "/execute/async",
      { script: `const done = arguments[arguments.length - 1]; ${script}`, args },
      timeoutMs + 5000,
    );
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  async waitFor(what, check, timeoutMs = 30000) {
    const start = Date.now();
    let last;
    while (Date.now() - start < timeoutMs) {
      try {
        last = await check();
        if (last) return last;
      } catch (e) {
        last = e;
      }
      await sleep(200);
    }
    // What the window showed, for the person reading the failure.
    if (process.env.TROVE_ARTIFACTS) {
      try {
        const { writeFileSync } = await import("node:fs");
        const name = `failed-${what.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`;
        writeFileSync(`${process.env.TROVE_ARTIFACTS}/${name}`, await this.screenshot());
      } catch {
        // No screenshot: the message below still says what failed.
      }
    }
    // And what it said: the notices, and the viewer's asset and panel when
    // one is open (a flaky wait then says which half went wrong).
    let page = "";
    try {
      page = await this.exec(
        `const notices = Array.from(document.querySelectorAll('[data-testid=notice-message]')).map(n => n.textContent.trim());
         const v = document.querySelector('[data-testid=viewer]');
         const search = document.querySelector('[data-testid=search-input]');
         const focus = document.activeElement;
         const out = [
           'notices: ' + JSON.stringify(notices),
           'search: ' + JSON.stringify(search ? search.value : null),
           'focus: ' + (focus ? focus.tagName + (focus.dataset && focus.dataset.testid ? '[' + focus.dataset.testid + ']' : '') : 'none'),
         ];
         if (v) {
           const name = v.querySelector('[data-testid=viewer-name]');
           const panel = v.querySelector('[data-testid=viewer-panel]');
           out.push('viewer: ' + (name ? name.textContent : '?') + ' at ' + v.dataset.index);
           out.push('panel: ' + (panel ? panel.textContent.replace(/\\s+/g, ' ').slice(0, 600) : '(none)'));
         }
         return out.join('; ');`,
      );
    } catch (e) {
      page = `(page not read: ${e})`;
    }
    throw new Error(`timed out waiting for ${what} (last: ${last}; ${page})`);
  }

  end() {
    return this.cmd("DELETE", "");
  }
}

async function call(base, method, path, body, timeoutMs = 30000) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  }
  return json.value;
}

/**
 * A loopback port that can be bound right now, outside Linux's ephemeral
 * range (32768-60999), so that no outgoing connection (to the S3 server,
 * to the driver) can take it between this check and the bind; never
 * `not` (the port just chosen for the other driver, free again until bound).
 */
async function freePort(not) {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (port === not) continue;
    const free = await new Promise((done) => {
      const server = createServer();
      server.once("error", () => done(false));
      server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
    });
    if (free) return port;
  }
}

/**
 * Starts tauri-driver and waits until it answers: `{ driver, base }`.
 * It and the WebKitWebDriver it starts each get a free port. An attempt
 * that does not answer within 20 s (once in CI: WebKitWebDriver never
 * answered, and every request was refused) is stopped and made
 * again, up to three times.
 */
export async function startDriver(env) {
  const failures = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    // WebKitWebDriver gets a free port of its own: tauri-driver's default
    // (4445) made two runs on one machine (a benchmark beside the tests)
    // refuse each other's sessions.
    const nativePort = await freePort(port);
    // Its own process group: WebKitWebDriver and the app it starts join it,
    // so stopDriver can end all of them (see there).
    const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
      env,
      stdio: ["ignore", "inherit", "inherit"],
      detached: true,
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    let why = "no answer within 20 s";
    while (Date.now() < deadline) {
      // A panic aborts: the exit is a signal, not a code.
      if (driver.exitCode !== null || driver.signalCode !== null) {
        why = `exited with ${driver.exitCode ?? driver.signalCode}`;
        break;
      }
      try {
        // tauri-driver passes /status on to WebKitWebDriver: an answer
        // means both are up.
        const res = await fetch(base + "/status", { signal: AbortSignal.timeout(1000) });
        if (res.ok) return { driver, base };
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    // A driver left running would keep the test process (and the run)
    // alive forever: it goes before the next try or the error.
    await stopDriver(driver);
    failures.push(`ports ${port}/${nativePort}: ${why}`);
  }
  throw new Error(`tauri-driver did not start (${failures.join("; ")})`);
}

/// Stops tauri-driver with SIGTERM (SIGKILL would orphan WebKitWebDriver).
/**
 * Stops tauri-driver and everything it started. Once, in CI, the app
 * outlived its WebDriver session (its window gone, its main loop idle),
 * holding the test runner's output pipe open so the run never ended:
 * the whole process group goes, the app included.
 */
export async function stopDriver(driver) {
  const group = (signal) => {
    try {
      process.kill(-driver.pid, signal);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (!group("SIGTERM")) return;
  for (let i = 0; i < 50 && group(0); i++) await sleep(100);
  group("SIGKILL");
}
