// Browser tests of the W4 viewer tools against the built binary with the
// demo plant: the statistics panel against GET /api/v1/headcount, the
// gathering notify toast, silenced and closed alarms (and the 409 of a
// gathering still together), track playback moving its markers, and the
// fence draw tool's POST body.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, openViewer, outDir, gatheringAlarm, sleep, login } from "./harness.mjs";

let server, browser, page, errors, outside;
let site; // [w, s, e, n]
let publisher = null; // keeps the W4 gathering's tags reporting
const headcounts = new Map(); // at → headcount answer the page received

const GROUP = ["W4-G0", "W4-G1", "W4-G2", "W4-G3"];

before(async () => {
  server = await startServer();
  ({ browser, page, errors, outside } = await openViewer(server));
  page.on("response", async (resp) => {
    if (!resp.url().includes("/api/v1/headcount") || !resp.ok()) return;
    try {
      const body = await resp.json();
      headcounts.set(body.at, body);
    } catch { /* a response the page abandoned */ }
  });
  const areas = await page.evaluate(() => fetch("/ogc/collections/areas").then((r) => r.json()));
  site = areas.extent.spatial.bbox[0];
  // Four unregistered tags standing together (> 60 s makes an orange
  // gathering, AQ 3064.3): the notify toast and the close refusal need it.
  const [w, s, e, n] = site;
  const lon = w + (e - w) * 0.55, lat = s + (n - s) * 0.45;
  const report = () => Promise.all(GROUP.map((tag, i) =>
    server.publish(`chemtwin/demo/tags/${tag}/position`, { lon: lon + i * 0.00002, lat, ts: Date.now() })));
  await report();
  publisher = setInterval(() => report().catch((err) => console.warn("publish failed", err.message)), 4000);
});

after(async () => {
  clearInterval(publisher);
  await browser?.close();
  await server?.stop();
});

// authed runs a REST call in the page with the session's token.
function authed(method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const token = sessionStorage.getItem("chemtwin.token");
    const r = await fetch(path, { method, headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" }, body: body && JSON.stringify(body) });
    return { status: r.status, body: await r.text() };
  }, [method, path, body]);
}

test("the statistics panel shows the numbers of GET /api/v1/headcount", async () => {
  await page.click("#tool-stats");
  await page.locator("#stats-panel [data-stat=online]").waitFor({ timeout: 15000 });
  // Read the panel in one go and compare it with the answer it shows.
  let shown = null;
  for (let i = 0; i < 50 && !(shown && headcounts.has(shown.at)); i++) {
    if (shown) await sleep(200);
    shown = await page.evaluate(() => {
      const panel = document.getElementById("stats-panel");
      const num = (sel) => Number(panel.querySelector(sel)?.textContent);
      return {
        at: panel.dataset.at,
        tags: Object.fromEntries(["online", "offline", "not_on_site", "low_battery"].map((k) => [k, num(`[data-stat=${k}]`)])),
        identity: Object.fromEntries(["internal", "contractor", "visitor"].map((k) => [k, num(`[data-identity=${k}]`)])),
        zones: Object.fromEntries([...panel.querySelectorAll("#stats-zones tr[data-zone]")].map((tr) => [tr.dataset.zone, Number(tr.querySelector("[data-people]").textContent)])),
        alarmRows: panel.querySelectorAll("#stats-alarms tbody tr").length,
      };
    });
  }
  const hc = headcounts.get(shown.at);
  assert.ok(hc, `the panel shows an answer (${shown.at}) the page never received`);
  for (const k of Object.keys(shown.tags)) assert.equal(shown.tags[k], hc.tags[k] ?? 0, `tags.${k}`);
  for (const k of Object.keys(shown.identity)) assert.equal(shown.identity[k], hc.tags.by_identity[k] ?? 0, `by_identity.${k}`);
  const busy = Object.fromEntries(hc.zones.filter((z) => z.people > 0).map((z) => [z.id, z.people]));
  assert.deepEqual(shown.zones, busy, "zones with people");
  assert.ok(Object.keys(busy).length > 0, "the demo has people in zones");
  assert.equal(shown.alarmRows, hc.unhandled_alarms.length, "unhandled alarm groups");
  assert.ok(shown.tags.online > 0, "tags online");
  // the map with the panel (docs/images/viewer-stats.png comes from it)
  const map = await page.locator("#map").boundingBox();
  await page.screenshot({ path: join(outDir, "viewer-stats.png"), clip: { x: map.x, y: map.y, width: Math.min(map.width, 900), height: map.height - 70 } });
  // a zone row flies the camera to the zone
  const before = await page.evaluate(() => window.chemtwin.camera());
  await page.locator("#stats-zones tr[data-zone]").first().click();
  let moved = false;
  for (let i = 0; i < 40 && !moved; i++) {
    await sleep(200);
    const now = await page.evaluate(() => window.chemtwin.camera());
    moved = Math.abs(now.lon - before.lon) + Math.abs(now.lat - before.lat) + Math.abs(now.height - before.height) / 1e5 > 1e-5;
  }
  assert.ok(moved, "clicking a zone did not move the camera");
});

test("a gathering notify frame shows a toast", async () => {
  // the W4 group (and the demo's own crowds) gather for > 60 s
  const toast = page.locator("#toasts .toast").first();
  await toast.waitFor({ timeout: 180000 });
  const view = await toast.evaluate((el) => ({ level: Number(el.dataset.level), evacuate: el.dataset.evacuate, text: el.textContent }));
  assert.ok(view.level >= 1 && view.level <= 3, `level ${view.level}`);
  assert.match(view.text, /聚集|疏散/, `toast text: ${view.text}`);
  if (view.evacuate === "true") assert.match(await toast.getAttribute("class"), /evacuate/);
});

test("a silenced alarm shows 静默, and 确认关闭 closes it with a note", async () => {
  await login(page, "manager");
  const now = Date.now();
  const sil = await authed("POST", "/api/v1/silences", { types: ["low_battery"], from: new Date(now - 60000).toISOString(), to: new Date(now + 3600000).toISOString(), reason: "browser test" });
  assert.equal(sil.status, 201, `silence: ${sil.status} ${sil.body}`);
  const [w, s, e, n] = site;
  await server.publish("chemtwin/demo/tags/W4-BAT/position", { lon: w + (e - w) * 0.2, lat: s + (n - s) * 0.8, battery: 9, ts: Date.now() });
  const item = page.locator('#alarm-list li:has(.alarm-badge.silenced)').first();
  await item.waitFor({ timeout: 20000 });
  const id = await item.getAttribute("data-alarm-id");
  await item.locator(".alarm-main").click();
  await page.locator("#info-panel .close-alarm").click();
  await page.fill("#close-dialog textarea[name=note]", "电量已更换");
  await page.click("#close-dialog button[type=submit]");
  const closed = await page.waitForFunction((id) => fetch("/api/v1/alarms/" + id).then((r) => r.json()).then((a) => a.details && a.details.closed_by && a),
    id, { timeout: 10000 }).then((h) => h.jsonValue());
  assert.equal(closed.details.close_note, "电量已更换");
  assert.equal(closed.state, "cleared");
  await page.locator(`#alarm-list li[data-alarm-id="${id}"]`).waitFor({ state: "detached", timeout: 10000 });
});

test("closing a gathering still together shows the server's refusal", async () => {
  // the group has stood together for > 60 s once its alarm is open
  const alarmId = (await gatheringAlarm(page, GROUP, 120)).id;
  await page.locator(`#alarm-list li[data-alarm-id="${alarmId}"] .alarm-main`).click();
  await page.locator("#info-panel .close-alarm").click();
  await page.click("#close-dialog button[type=submit]");
  const error = page.locator("#close-dialog .form-error");
  await error.waitFor({ state: "visible", timeout: 10000 });
  assert.match(await error.textContent(), /暂不能关闭/);
  await page.click('#close-dialog button[data-i18n="alarm.ack.cancel"]');
  const a = await page.evaluate((id) => fetch("/api/v1/alarms/" + id).then((r) => r.json()), alarmId);
  assert.notEqual(a.state, "cleared", "the refused close must leave the alarm open");
});

test("track playback: the markers follow the slider", async () => {
  const ids = ["PS-0010", "PS-0011"];
  // the simulator writes history: wait for a track that moves
  await page.waitForFunction(async (ids) => {
    const fc = await fetch(`/api/v1/tracks?ids=${ids.join(",")}`).then((r) => r.json());
    return fc.features.every((f) => f.geometry && f.geometry.type === "LineString" && f.geometry.coordinates.length >= 5);
  }, ids, { timeout: 60000, polling: 1000 });
  // one person from the info card's 轨迹回放 button, one from the search
  await page.fill("#search-input", ids[0]);
  await page.keyboard.press("Enter");
  await page.locator("#info-panel .info-actions button", { hasText: "轨迹回放" }).click();
  await page.locator(`#pb-people [data-id="${ids[0]}"]`).waitFor({ timeout: 30000 });
  await page.fill("#pb-search", ids[1]);
  await page.locator(`#pb-hits [data-id="${ids[1]}"]`).click();
  const tracksResp = page.waitForResponse((r) => r.url().includes("/api/v1/tracks?"));
  await page.click("#pb-load");
  const fc = await (await tracksResp).json();
  await page.locator("#pb-slider").waitFor({ state: "visible", timeout: 10000 });
  const slide = (v) => page.evaluate((v) => {
    const s = document.getElementById("pb-slider");
    s.value = String(v);
    s.dispatchEvent(new Event("input", { bubbles: true }));
    return window.chemtwin.playback();
  }, v);
  const start = await slide(0);
  const end = await slide(1000);
  assert.equal(start.markers.length, 2, `markers: ${JSON.stringify(start.markers)}`);
  assert.ok(end.t > start.t, `slider time did not advance: ${start.t} → ${end.t}`);
  // the slider spans the earliest to the latest fix of all tracks: at its
  // ends every marker holds its track's first and last fix
  for (const f of fc.features) {
    const c = f.geometry.coordinates;
    const first = start.markers.find((m) => m.id === f.properties.entity_id);
    const last = end.markers.find((m) => m.id === f.properties.entity_id);
    assert.deepEqual([first.lon, first.lat], c[0].slice(0, 2), `${f.properties.entity_id} at the start`);
    assert.deepEqual([last.lon, last.lat], c[c.length - 1].slice(0, 2), `${f.properties.entity_id} at the end`);
  }
  const moved = start.markers.some((m, i) => m.lon !== end.markers[i].lon || m.lat !== end.markers[i].lat);
  assert.ok(moved, "no marker moved with the slider");
  // play runs and pause stops
  await page.click("#pb-play");
  await slide(0);
  assert.equal((await page.evaluate(() => window.chemtwin.playback())).playing, false, "moving the slider pauses");
  await page.screenshot({ path: join(outDir, "viewer-playback.png") });
  // one person: the camera hand-over along the track is listed
  await page.click(`#pb-people [data-remove="${ids[1]}"]`);
  await page.click("#pb-load");
  await page.locator("#pb-handover h3").waitFor({ timeout: 10000 });
  assert.ok(await page.locator("#pb-handover li, #pb-handover .dock-note").count() > 0, "hand-over list empty");
  assert.equal((await page.evaluate(() => window.chemtwin.playback())).markers.length, 1);
});

test("the fence draw tool posts a valid fence (404 shown, 201 accepted)", async () => {
  await login(page, "manager");
  const bodies = [];
  let answer = 404;
  await page.route("**/api/v1/fences", async (route) => {
    const req = route.request();
    if (req.method() !== "POST") return route.continue();
    const body = JSON.parse(req.postData());
    bodies.push(body);
    if (answer === 404) return route.fulfill({ status: 404, contentType: "application/json", body: JSON.stringify({ error: { code: "not_found", message: "no route" } }) });
    return route.fulfill({ status: 201, contentType: "application/geo+json", body: JSON.stringify({ ...body, id: "FN-BROWSER", properties: { ...body.properties, id: "FN-BROWSER" } }) });
  });
  await page.click("#tool-fence");
  await page.click("#fence-start");
  const box = await page.locator("#map canvas").first().boundingBox();
  const at = (fx, fy) => [box.x + box.width * fx, box.y + box.height * fy];
  // corners right of the dock panel and above the toasts
  for (const [fx, fy] of [[0.6, 0.3], [0.75, 0.3], [0.75, 0.5]]) {
    await page.mouse.click(...at(fx, fy));
    await sleep(150);
  }
  await page.mouse.dblclick(...at(0.6, 0.5));
  const form = page.locator("#fence-form");
  await form.waitFor({ state: "visible", timeout: 5000 });
  await form.locator("input[name=name]").fill("浏览器测试围栏");
  await form.locator("select[name=rule]").selectOption("headcount");
  await form.locator("input[name=max_persons]").fill("5");
  await form.locator("input[name=tw_from]").fill("08:00");
  await form.locator("input[name=tw_to]").fill("18:00");
  await form.locator("input[name=identity][value=contractor]").check();
  await form.locator("button[type=submit]").click();
  await form.locator(".form-error").waitFor({ state: "visible", timeout: 5000 });
  assert.match(await form.locator(".form-error").textContent(), /404/);
  answer = 201;
  await form.locator("button[type=submit]").click();
  await page.waitForFunction(() => /FN-BROWSER/.test(document.getElementById("fence-status").textContent), null, { timeout: 5000 });
  await page.unroute("**/api/v1/fences");

  assert.equal(bodies.length, 2);
  const b = bodies[1];
  assert.equal(b.type, "Feature");
  assert.equal(b.geometry.type, "Polygon");
  const ring = b.geometry.coordinates[0];
  assert.equal(ring.length, 5, `ring of 4 corners, closed: ${JSON.stringify(ring)}`);
  assert.deepEqual(ring[0], ring[4], "ring closed");
  const [w, s, e, n] = site;
  for (const [lon, lat] of ring) assert.ok(lon > w - 0.01 && lon < e + 0.01 && lat > s - 0.01 && lat < n + 0.01, `corner ${lon},${lat} off site`);
  assert.equal(new Set(ring.slice(0, 4).map(String)).size, 4, "four distinct corners");
  assert.deepEqual(b.properties, {
    name: "浏览器测试围栏", rule: "headcount", level: 2, max_persons: 5,
    time_window: { from: "08:00", to: "18:00", days: [1, 2, 3, 4, 5, 6, 7] },
    authorized: { identity_types: ["contractor"] },
  });
});

test("a fence's info card edits it with PUT /api/v1/fences/{id}", async () => {
  const puts = [];
  await page.route("**/api/v1/fences/*", async (route) => {
    const req = route.request();
    if (req.method() !== "PUT") return route.continue();
    const body = JSON.parse(req.postData());
    puts.push({ url: req.url(), body });
    return route.fulfill({ status: 200, contentType: "application/geo+json", body: JSON.stringify({ ...body, id: "FN-CCR" }) });
  });
  const fence = await page.evaluate(() => fetch("/ogc/collections/fences/items/FN-CCR").then((r) => r.json()));
  await page.click("#tool-stats");
  await page.locator('#stats-limits tr[data-zone="FN-CCR"]').click();
  await page.locator("#info-panel .info-actions button", { hasText: "编辑围栏" }).click();
  const form = page.locator("#fence-form");
  await form.waitFor({ state: "visible", timeout: 10000 });
  assert.equal(await form.locator("select[name=rule]").inputValue(), "headcount");
  await form.locator("input[name=max_persons]").fill("15");
  await form.locator("button[type=submit]").click();
  await page.waitForFunction(() => /FN-CCR/.test(document.getElementById("fence-status").textContent), null, { timeout: 10000 });
  await page.unroute("**/api/v1/fences/*");
  assert.equal(puts.length, 1);
  assert.match(puts[0].url, /\/api\/v1\/fences\/FN-CCR$/);
  const p = puts[0].body.properties;
  assert.equal(p.name, fence.properties.name);
  assert.equal(p.max_persons, 15);
  assert.equal(p.min_persons, fence.properties.min_persons);
  assert.equal(p.name_en, fence.properties.name_en, "properties the form does not show are kept");
  assert.equal(p.id, undefined, "the server owns the id");
  assert.deepEqual(puts[0].body.geometry.coordinates[0].map((c) => c.slice(0, 2)), fence.geometry.coordinates[0].map((c) => c.slice(0, 2)), "outline kept");
});

test("no outside requests and no unexpected console errors", async () => {
  assert.deepEqual(outside, [], "requests to hosts other than the chemtwin server");
  // the refusals this suite provokes (404 fences, 409 close) log as failed loads
  const unexpected = errors.filter((e) => !/Failed to load resource: the server responded with a status of (404|409)/.test(e));
  assert.deepEqual(unexpected, [], "console errors");
});
