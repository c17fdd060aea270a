// Test harness: starts the built chemtwin binary with the demo plant on free
// ports and opens the viewer in Debian's chromium through playwright-core,
// recording console errors and every request to a host other than the
// server (which the test then aborts: the viewer must work offline).
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
export const outDir = join(root, "web", "test-output");
const run = promisify(execFile);

// Chromium flags from the environment notes: software WebGL through
// SwiftShader, no background traffic. Never --disable-software-rasterizer.
export const chromiumArgs = ["--headless", "--no-sandbox", "--enable-unsafe-swiftshader",
  "--disable-background-networking", "--disable-component-update", "--no-first-run",
  "--disable-sync", "--disable-quic", "--window-size=1600,1000"];

// startServer starts the demo on free ports. opts.data is the data folder
// (default: a fresh temporary one); stop() deletes it unless opts.keep, so
// that a test can restart the server on the same data. opts.args are more
// serve flags, appended (e.g. ["--scenario", "ammonia-leak"]).
export async function startServer(opts = {}) {
  const data = opts.data || mkdtempSync(join(tmpdir(), "chemtwin-browser-"));
  const bin = process.env.CHEMTWIN_BIN || join(root, "bin", "chemtwin");
  // CHEMTWIN_WEB_DIR serves the viewer from disk (development: no rebuild
  // after a JS change); by default the binary's embedded copy is tested.
  const webDir = process.env.CHEMTWIN_WEB_DIR ? ["--web-dir", process.env.CHEMTWIN_WEB_DIR] : [];
  const proc = spawn(bin, ["serve", "--demo", "--addr", "127.0.0.1:0", "--mqtt-listen", "127.0.0.1:0", "--data", data, ...webDir, ...(opts.args || [])],
    { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => { log = (log + d).slice(-20000); });
  const started = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("chemtwin did not print its URL in 30 s\n" + log)), 30000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/viewer at (http:\/\/\S+\/) \(mqtt tcp:\/\/([\d.]+):(\d+)\)/);
      if (m) { clearTimeout(timer); resolve({ url: m[1], mqttHost: m[2], mqttPort: m[3] }); }
    });
    proc.on("exit", (code) => reject(new Error(`chemtwin exited with ${code}\n${log}`)));
  });
  return {
    ...started,
    log: () => log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGINT");
        // The 15 s bound is cleared on exit: a pending timer kept node's
        // test file alive 15 s after every test.
        await new Promise((r) => {
          const timer = setTimeout(r, 15000);
          proc.on("exit", () => { clearTimeout(timer); r(); });
        });
      }
      if (!opts.keep) rmSync(data, { recursive: true, force: true });
    },
    // publish sends one MQTT message to the server's embedded broker with
    // mosquitto_pub, as a gateway would.
    async publish(topic, payload) {
      await run("mosquitto_pub", ["-h", started.mqttHost, "-p", started.mqttPort, "-q", "1", "-t", topic, "-m", JSON.stringify(payload)]);
    },
  };
}

// guardPage collects page's console errors and uncaught exceptions into
// errors, and aborts every request that leaves the server (the plant runs
// offline), noting it in outside.
export async function guardPage(page, server, errors = [], outside = []) {
  const origin = new URL(server.url).origin;
  page.on("console", (msg) => { if (msg.type() === "error") errors.push(msg.text()); });
  page.on("pageerror", (err) => errors.push(String(err)));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    outside.push(url);
    return route.abort();
  });
  return { errors, outside };
}

export async function openViewer(server) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: chromiumArgs });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const { errors, outside } = await guardPage(page, server);
  // Half resolution: software WebGL draws every pixel on the CPU, and on a
  // 2-core machine the full 1600×1000 made the suite take 10 minutes.
  await page.goto(server.url + "?render_scale=0.5");
  await page.waitForFunction(() => window.chemtwin && window.chemtwin.ready && window.chemtwin.ready(), null, { timeout: 90000 });
  mkdirSync(outDir, { recursive: true });
  return { browser, page, errors, outside };
}

// gatheringAlarm waits up to seconds s for the open gathering alarm whose
// members include every tag of tags, polling the API from page once a
// second; it fails the test with the last gathering seen.
export async function gatheringAlarm(page, tags, s) {
  let alarm = null, seen = null;
  for (let i = 0; i < s && !alarm; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 1000));
    ({ alarm, seen } = await page.evaluate(async (tags) => {
      const g = await fetch("/api/v1/gatherings").then((r) => r.json());
      const ours = g.gatherings.find((x) => tags.every((t) => x.members.includes("tag-" + t)));
      if (!ours || !ours.alarmed) return { alarm: null, seen: ours || null };
      const a = await fetch(`/api/v1/alarms?type=gathering&entity=${ours.id}&open=true`).then((r) => r.json());
      return { alarm: a.alarms[0] || null, seen: ours };
    }, tags));
  }
  assert.ok(alarm, `no open alarm for the test group: ${JSON.stringify(seen)}`);
  return alarm;
}

// sleep waits ms milliseconds.
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// until polls fn (async) every 250 ms until it returns something truthy,
// and returns that; it fails after ms with what describe (a string, or an
// async function) says.
export async function until(fn, ms, describe) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`${typeof describe === "function" ? await describe() : describe} (after ${ms} ms)`);
    await sleep(250);
  }
}

// login signs user (password demo) in through the viewer's login dialog,
// once per page.
export async function login(page, user) {
  if (await page.locator("#logout-button").count()) return;
  await page.click("#login-button");
  await page.fill('#login-dialog input[name="username"]', user);
  await page.fill('#login-dialog input[name="password"]', "demo");
  await page.keyboard.press("Enter");
  await page.locator("#logout-button").waitFor({ timeout: 10000 });
}
