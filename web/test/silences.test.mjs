// Browser tests of alarm silences (报警静默) and gathering discs against the
// built binary with the demo plant: the silences panel read-only for a
// visitor; a manager adds a silence through the form (SOS and gas level 2
// not offered, the form's and the server's refusals shown) and sees it
// listed; the silence survives a restart of the server on the same data
// folder and is ended from the panel; a gathering of three tags is drawn
// as a disc of its enclosing radius with its head count, a click on the
// disc selects its alarm, and the disc goes when the group disperses.
//
// The server keeps its data folder across the restart (startServer's keep).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, openViewer, outDir, gatheringAlarm, sleep, login } from "./harness.mjs";

const GROUP = ["SIL-G0", "SIL-G1", "SIL-G2"];
const SPREAD_M = 8; // each tag this far from the group's centre: enclosing radius 8 m
const YELLOW = "#ffd60a", ORANGE = "#ff9500", RED = "#ff3b30"; // palette.js RISK

let data, server, browser, page;
let site; // [w, s, e, n]
let spot; // [lon, lat] where the group stands
let spread = SPREAD_M; // metres from the centre; 60 disperses the group
let publisher = null;
let silenceId = null;

// startAt starts the demo over the data folder dir, which stop() keeps.
const startAt = (dir) => startServer({ data: dir, keep: true });

// open starts a viewer on the current server; views keeps every viewer's
// console errors and outside requests for the last test.
const views = [];
async function open() {
  const v = await openViewer(server);
  views.push(v);
  browser = v.browser;
  page = v.page;
}

before(async () => {
  data = mkdtempSync(join(tmpdir(), "chemtwin-silences-"));
  server = await startAt(data);
  await open();
  const areas = await page.evaluate(() => fetch("/ogc/collections/areas").then((r) => r.json()));
  site = areas.extent.spatial.bbox[0];
  spot = await page.evaluate(openSpot, site);
  // Three unregistered tags around one point, 8 m from it: a yellow
  // gathering once they have stood together for over 60 s (AQ 3064.3).
  const report = () => Promise.all(GROUP.map((tag, k) => {
    const [lon, lat] = offset(spot, spread, (360 * k) / GROUP.length);
    return server.publish(`chemtwin/demo/tags/${tag}/position`, { lon, lat, ts: Date.now() });
  }));
  await report();
  publisher = setInterval(() => report().catch((err) => console.warn("publish failed", err.message)), 3000);
});

after(async () => {
  clearInterval(publisher);
  await browser?.close();
  await server?.stop();
  if (data) rmSync(data, { recursive: true, force: true });
});

// offset moves [lon, lat] by d metres on bearing deg (0 = north).
function offset([lon, lat], d, deg) {
  const a = (deg * Math.PI) / 180;
  const mLat = 111320, mLon = 111320 * Math.cos((lat * Math.PI) / 180);
  return [lon + (d * Math.sin(a)) / mLon, lat + (d * Math.cos(a)) / mLat];
}

// openSpot runs in the page: the point of a grid over the site farthest
// from anything standing or pickable on the map (buildings, equipment,
// tanks, fences, gates, detectors, cameras, beacons, muster points), so
// that a click there picks the gathering drawn on it.
async function openSpot([w, s, e, n]) {
  const layers = ["buildings", "equipment", "tanks", "fences", "gates", "gas_detectors", "cameras", "beacons", "muster_points"];
  const pts = [];
  for (const l of layers) {
    const fc = await fetch(`/ogc/collections/${l}/items?limit=10000`).then((r) => r.json());
    for (const f of fc.features) {
      const g = f.geometry;
      if (!g) continue;
      const flat = (c) => (typeof c[0] === "number" ? [c] : c.flatMap(flat));
      pts.push(...flat(g.coordinates));
    }
  }
  const mLon = 111320 * Math.cos((((s + n) / 2) * Math.PI) / 180), mLat = 111320;
  let best = null;
  for (let fx = 0.15; fx <= 0.85; fx += 0.025) {
    for (let fy = 0.15; fy <= 0.85; fy += 0.025) {
      const lon = w + (e - w) * fx, lat = s + (n - s) * fy;
      let clear = Infinity;
      for (const [x, y] of pts) clear = Math.min(clear, Math.hypot((x - lon) * mLon, (y - lat) * mLat));
      if (!best || clear > best.clear) best = { lon, lat, clear };
    }
  }
  return [best.lon, best.lat];
}

// openPanel opens the silences tool (if closed).
async function openPanel() {
  if ((await page.locator("#tool-silences").getAttribute("aria-pressed")) !== "true") await page.click("#tool-silences");
  await page.locator("#silences-panel").waitFor({ state: "visible", timeout: 5000 });
}

const silences = () => page.evaluate(() => fetch("/api/v1/silences").then((r) => r.json()).then((b) => b.silences));

test("the silences panel is read-only without a manager", async () => {
  await openPanel();
  await page.locator("#silence-readonly").waitFor({ state: "visible", timeout: 5000 });
  assert.match(await page.locator("#silence-readonly").textContent(), /仅管理员和经理/);
  assert.equal(await page.locator("#silence-form").isVisible(), false, "the form shows to a visitor");
  await page.locator("#silences-panel h3").first().waitFor();
  assert.match(await page.locator("#silences-panel h3").first().textContent(), /生效中与待生效 \(0\)/);
  // English
  await page.click("#lang-toggle");
  await page.waitForFunction(() => document.querySelector("#silences-panel h2").textContent === "Alarm silences", null, { timeout: 5000 });
  assert.match(await page.locator("#silence-readonly").textContent(), /Only administrators and managers/);
  assert.equal(await page.locator("#tool-silences").textContent(), "Alarm silences");
  await page.click("#lang-toggle");
  await page.waitForFunction(() => document.querySelector("#silences-panel h2").textContent === "报警静默", null, { timeout: 5000 });
});

test("a manager adds a silence through the form and sees it listed", async () => {
  const before = Date.now(); // the form's default start lies between this and the check below
  await login(page, "manager");
  await openPanel();
  const form = page.locator("#silence-form");
  await form.waitFor({ state: "visible", timeout: 5000 });
  assert.equal(await page.locator("#silence-readonly").isVisible(), false);
  // SOS and gas level 2 are never offered, and the form says why
  const offered = await form.locator("input[name=type]").evaluateAll((els) => els.map((e) => e.value));
  assert.ok(offered.includes("low_battery") && offered.includes("gas_level1") && offered.length >= 20, `types offered: ${offered}`);
  assert.ok(!offered.includes("sos") && !offered.includes("gas_level2"), `unsilenceable types offered: ${offered}`);
  assert.match(await form.locator(".silence-never").textContent(), /SOS.*气体二级报警不可静默/);
  // the window defaults to now → +2 h, in the site's time zone
  const zone = await page.evaluate(async () => {
    const health = await fetch("/healthz").then((r) => r.json());
    const site = await fetch("/api/v1/entities/" + health.scene.site).then((r) => r.json());
    return site.properties.timezone;
  });
  assert.ok(zone, "the demo site has a time zone");
  const wall = (ms) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
  };
  const win = await form.evaluate((f) => ({ from: f.elements.from.value, to: f.elements.to.value }));
  const now = Date.now();
  const minutes = [wall(now)];
  for (let t = before - 60000; t < now; t += 60000) minutes.push(wall(t));
  assert.ok(minutes.includes(win.from), `default start ${win.from}, now in ${zone} is ${wall(now)} (test began ${wall(before)})`);
  assert.equal(Date.parse(win.to + "Z") - Date.parse(win.from + "Z"), 2 * 3600 * 1000, `default window ${win.from} → ${win.to}`);

  const error = form.locator(".form-error");
  await form.locator("button[type=submit]").click();
  assert.match(await error.textContent(), /请至少选择一种报警类型/);
  await form.locator("input[name=type][value=low_battery]").check();
  await form.locator("input[name=type][value=lingering]").check();
  await form.locator("button[type=submit]").click();
  assert.match(await error.textContent(), /请填写静默原因/);
  const area = form.locator("input[name=area]").first();
  const areaId = await area.getAttribute("value");
  const areaName = (await area.locator("xpath=..").textContent()).trim();
  await area.check();
  await form.locator("textarea[name=reason]").fill("浏览器测试：更换定位卡电池");

  // the server's refusal shows with its status and message
  await page.route("**/api/v1/silences", (route) => route.request().method() === "POST"
    ? route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: { code: "bad_request", message: "a silence lasts at most 744h0m0s" } }) })
    : route.continue());
  await form.locator("button[type=submit]").click();
  await page.waitForFunction(() => /744h/.test(document.querySelector("#silence-form .form-error").textContent), null, { timeout: 5000 });
  assert.match(await error.textContent(), /操作失败（400）：a silence lasts at most 744h0m0s/);
  await page.unroute("**/api/v1/silences");

  await form.locator("button[type=submit]").click();
  await page.waitForFunction(() => /已添加静默 SI-/.test(document.getElementById("silence-status").textContent), null, { timeout: 10000 });
  silenceId = (await page.locator("#silence-status").textContent()).match(/SI-\S+/)[0];
  const li = page.locator(`#silence-list li[data-silence-id="${silenceId}"]`);
  await li.waitFor({ timeout: 5000 });
  const text = await li.textContent();
  for (const want of ["生效中", "定位卡低电量", "逗留超时", areaName, "设置人：manager", "浏览器测试：更换定位卡电池", "解除静默"]) {
    assert.ok(text.includes(want), `list item lacks ${want}: ${text}`);
  }
  const [s] = (await silences()).filter((x) => x.id === silenceId);
  assert.deepEqual([...s.types].sort(), ["lingering", "low_battery"]);
  assert.deepEqual(s.area_ids, [areaId]);
  assert.equal(s.by, "manager");
  assert.equal(Date.parse(s.to) - Date.parse(s.from), 2 * 3600 * 1000);
  assert.equal(wall(Date.parse(s.from)), win.from, "the start sent is the one shown, in the site's time zone");
  // the form is back to its defaults for the next one
  assert.equal(await form.locator("input[name=type]:checked").count(), 0);
  await page.locator("#silences-panel").screenshot({ path: join(outDir, "viewer-silences.png") });
});

test("a gathering is drawn as a disc with its head count, selects its alarm and goes when it disperses", async () => {
  // the group has stood together for > 60 s once its alarm is open
  let alarm = await gatheringAlarm(page, GROUP, 150);
  const disc = await page.waitForFunction((id) => window.chemtwin.gatherings().find((g) => g.id === id), alarm.id, { timeout: 10000 })
    .then((h) => h.jsonValue());
  // the latest state of the alarm (the disc follows its updates)
  alarm = await page.evaluate((id) => fetch("/api/v1/alarms/" + id).then((r) => r.json()), alarm.id);
  const d = alarm.details;
  assert.equal(disc.gathering_id, alarm.entity_id);
  assert.ok(Math.abs(disc.radius_m - d.radius_m) < 0.5, `disc radius ${disc.radius_m}, alarm ${d.radius_m}`);
  assert.ok(d.radius_m > SPREAD_M - 1.5 && d.radius_m < SPREAD_M + 1.5, `enclosing radius ${d.radius_m} m for tags ${SPREAD_M} m from the centre`);
  assert.ok(Math.abs(disc.lon - d.centre_lon) < 2e-5 && Math.abs(disc.lat - d.centre_lat) < 2e-5, "disc at the group's centre");
  assert.ok(Math.abs(disc.lon - spot[0]) < 3e-5 && Math.abs(disc.lat - spot[1]) < 3e-5, `centre ${disc.lon},${disc.lat} vs ${spot}`);
  assert.equal(disc.count, d.count);
  assert.ok(disc.count >= 3, `head count ${disc.count}`);
  assert.equal(disc.label, `${disc.count} 人` + (d.evacuate ? " · 疏散" : ""));
  assert.equal(disc.colour, d.evacuate ? RED : { 1: YELLOW, 2: ORANGE, 3: RED }[alarm.level]);
  assert.equal(disc.evacuate, d.evacuate === true);
  if (d.evacuate) assert.equal(disc.outline, "#ffffff");
  assert.ok(disc.shown, "disc hidden");
  // the same alarm escalated to evacuation (a gas alarm nearby) would be
  // red with a white ring; without a radius, the 15 m detection radius
  const escalated = await page.evaluate(async (a) => {
    const { gatheringView } = await import("/js/gatherings.js");
    return [gatheringView({ ...a, level: 3, details: { ...a.details, evacuate: true } }), gatheringView({ ...a, details: { ...a.details, radius_m: undefined } }),
      gatheringView({ ...a, state: "cleared" })];
  }, alarm);
  assert.equal(escalated[0].colour, RED);
  assert.equal(escalated[0].outline, "#ffffff");
  assert.equal(escalated[0].label, `${disc.count} 人 · 疏散`);
  assert.equal(escalated[1].radius_m, 15);
  assert.equal(escalated[2], null, "a cleared gathering is not drawn");

  // fly there from the list (the dock panel closed: it covers the map's
  // left part), select something else, then click the disc
  if ((await page.locator("#tool-silences").getAttribute("aria-pressed")) === "true") await page.click("#tool-silences");
  const item = page.locator(`#alarm-list li[data-alarm-id="${alarm.id}"]`);
  await item.locator(".alarm-main").click();
  await sleep(2500);
  const canvas = await page.locator("#map canvas").first().boundingBox();
  const at = async ([lon, lat]) => {
    const p = await page.evaluate(([lon, lat]) => window.chemtwin.screen(lon, lat, 0.6), [lon, lat]);
    const xy = p && [canvas.x + p.x, canvas.y + p.y];
    const hit = xy && await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.tagName, xy);
    assert.equal(hit, "CANVAS", `${lon},${lat} is not on the map at ${xy}`);
    return xy;
  };
  const centre = [disc.lon, disc.lat];
  await page.mouse.click(...(await at(offset(centre, disc.radius_m * 4, 0))));
  await page.waitForFunction((id) => document.querySelector(`#alarm-list li[data-alarm-id="${id}"]`)?.getAttribute("aria-current") !== "true", alarm.id, { timeout: 5000 });
  // inside the disc, between two members, on the side away from the label
  const inside = [];
  for (const deg of [60, 180, 300]) inside.push(await at(offset(centre, disc.radius_m * 0.55, deg)));
  const target = inside.sort((a, b) => b[1] - a[1])[0];
  await page.screenshot({ path: join(outDir, "viewer-gathering.png") });
  await page.mouse.click(...target);
  await page.waitForFunction((id) => document.querySelector(`#alarm-list li[data-alarm-id="${id}"]`)?.getAttribute("aria-current") === "true", alarm.id, { timeout: 5000 });

  // dispersed (60 m apart): a yellow one clears by itself, one that needs
  // confirmation is closed by the manager; either way the disc goes
  spread = 60;
  let closed = false;
  for (let i = 0; i < 60 && !closed; i++) {
    if (i > 0) await sleep(1000);
    closed = await page.evaluate(async (id) => {
      const a = await fetch("/api/v1/alarms/" + id).then((r) => r.json());
      if (a.state === "cleared") return "cleared";
      if (!a.details || !a.details.dispersed) return false;
      const token = sessionStorage.getItem("chemtwin.token");
      const r = await fetch(`/api/v1/alarms/${id}/close`, { method: "POST", headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" }, body: "{}" });
      return r.ok && "closed";
    }, alarm.id);
  }
  assert.ok(closed === "cleared" || closed === "closed", `the gathering alarm did not end within 60 s of dispersal`);
  const gone = await page.waitForFunction((id) => !window.chemtwin.gatherings().some((g) => g.id === id), alarm.id, { timeout: 30000 })
    .then(() => true, () => false);
  if (!gone) {
    const why = await page.evaluate(async (id) => ({
      rest: await fetch("/api/v1/alarms/" + id).then((r) => r.json()),
      open: !!document.querySelector(`#alarm-list li[data-alarm-id="${id}"]`),
      cleared: !!document.querySelector(`#alarm-cleared-list li[data-alarm-id="${id}"]`),
      drawn: window.chemtwin.gatherings(), counts: window.chemtwin.counts(),
    }), alarm.id);
    assert.fail(`the disc of ${closed} ${alarm.id} stayed: ${JSON.stringify(why)}`);
  }
});

test("the silence survives a restart and is ended from the panel", async () => {
  assert.ok(silenceId, "no silence from the earlier test");
  clearInterval(publisher);
  await browser.close();
  await server.stop();
  server = await startAt(data);
  await open();
  const listed = await silences();
  assert.ok(listed.some((s) => s.id === silenceId), `after restart: ${JSON.stringify(listed)}`);
  await login(page, "manager");
  await openPanel();
  const li = page.locator(`#silence-list li[data-silence-id="${silenceId}"]`);
  await li.waitFor({ timeout: 10000 });
  assert.match(await li.textContent(), /浏览器测试：更换定位卡电池/);
  page.once("dialog", (dialog) => dialog.accept());
  await li.locator(".silence-remove").click();
  await li.waitFor({ state: "detached", timeout: 10000 });
  assert.match(await page.locator("#silence-status").textContent(), new RegExp(`已解除静默 ${silenceId}`));
  assert.ok(!(await silences()).some((s) => s.id === silenceId), "still listed by the server");
});

test("no outside requests and no unexpected console errors", async () => {
  const outside = views.flatMap((v) => v.outside), errors = views.flatMap((v) => v.errors);
  assert.deepEqual(outside, [], "requests to hosts other than the chemtwin server");
  // the refusal this suite provokes (400 silence) logs as a failed load
  const unexpected = errors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));
  assert.deepEqual(unexpected, [], "console errors");
});
