// Browser test of the inspector's phone page /m/ (W7 item 5) at 390×844
// (deviceScaleFactor 3, touch) against the built binary with the demo
// plant: the inspector signs in and sees today's tasks; opens the open
// task whose first point is due and sees the plant map (basemap tiles, the
// route's points by status, the next point's radius, their own position)
// and the next point's distance and direction, which follow the tag as
// the test moves it over MQTT; at the point, a check-in from 60 m away is
// refused in words (too_far with the distance), then — the tag held at
// the point past the point's dwell — a wrong code is refused
// (code_mismatch), the code is read from a QR code through the camera
// (Chromium's fake capture device playing a Y4M of the code: the page's
// real getUserMedia + jsQR path), the checklist is filled with one reading
// out of range and a photo, downscaled to ≤ 1600 px JPEG before upload, and
// the check-in is accepted as 发现隐患 with the item failed and a hidden
// danger raised; the task then shows the point checked and the next one
// due. A network failure shows a retry button that recovers; the English
// switch translates the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import QRCode from "qrcode";
import { startServer, chromiumArgs, outDir, sleep, until, guardPage } from "./harness.mjs";

// The tag's fixes are stamped LEAD_S ahead and published every second, so
// the simulator's own fixes of the same tag (stamped now) arrive out of
// order and are dropped while the test holds the tag. The lead must stay
// small: the server counts the dwell from the first fix inside the radius
// to min(last fix, now) (twin/inspect verify.go measure), so a lead delays
// the dwell by as much, and a fix more than 10 s ahead is refused as
// stale_position.
const LEAD_S = 4;
const AWAY_M = 60; // where the too_far attempt stands, north of the point

let server, browser, context, page;
let user, task, point, code, siteTz;
let pinTimer = null, pinAt = null;
const errors = [], outside = [];
const expectedErrors = []; // console messages the test provoked on purpose (422s, offline)

before(async () => {
  server = await startServer();
  const token = (await rest("POST", "/api/v1/auth/login", { username: "inspector", password: "demo" })).token;
  const auth = { Authorization: "Bearer " + token };
  user = await rest("GET", "/api/v1/auth/me", undefined, auth);
  const health = await rest("GET", "/healthz");
  siteTz = (await rest("GET", "/api/v1/entities/" + health.scene.site)).properties.timezone;
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: siteTz, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  const { tasks } = await rest("GET", `/api/v1/inspections/tasks?mine=1&date=${day}`, undefined, auth);
  // an open task (mine or my team's) with a point due, one whose window is
  // on now before one in its grace after the window (that one may close
  // during the test)
  const now = Date.now(), current = (x) => Date.parse(x.start) <= now && now < Date.parse(x.end);
  task = tasks.filter((x) => x.status === "open" && x.points.some((p) => p.status === "due"))
    .sort((a, b) => current(b) - current(a))[0];
  assert.ok(task, `no open task with a due point for the inspector today: ${JSON.stringify(tasks.map((x) => [x.id, x.status]))}`);
  point = task.points.find((p) => p.status === "due");
  // The code as printed on the point's QR plate (the OGC layer carries it).
  code = (await rest("GET", `/ogc/collections/inspection_points/items/${encodeURIComponent(point.point)}`)).properties.code;
  assert.ok(code, "the point has no code");
  mkdirSync(outDir, { recursive: true });
  const y4m = join(outDir, "mobile-qr.y4m");
  writeFileSync(y4m, qrY4M(code));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [...chromiumArgs, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${y4m}`],
  });
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
    permissions: ["camera"], locale: "zh-CN" });
  page = await context.newPage();
  await guardPage(page, server, errors, outside);
});

after(async () => {
  clearInterval(pinTimer);
  await browser?.close();
  await server?.stop();
});

// rest calls the API from the test (setup and cross-checks; the page is
// what is tested).
async function rest(method, path, body, headers = {}) {
  const r = await fetch(new URL(path, server.url), { method, headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

// pin holds the inspector's tag at [lon, lat]: a fix every second,
// stamped LEAD_S ahead. It returns when the first fix is published.
async function pin(lonlat) {
  pinAt = lonlat;
  const send = () => server.publish(`chemtwin/demo/tags/${user.tag}/position`,
    { lon: pinAt[0], lat: pinAt[1], ts: Date.now() + LEAD_S * 1000 }).catch(() => {});
  if (!pinTimer) pinTimer = setInterval(send, 1000);
  await send();
}

// north returns the position m metres north of lonlat.
const north = (lonlat, m) => [lonlat[0], lonlat[1] + m / 111195];

// qrY4M renders text as a QR code (the qrcode package's module matrix,
// 4 modules of quiet zone) into a two-frame 640×480 Y4M clip for
// Chromium's fake camera.
function qrY4M(text, W = 640, H = 480) {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = qr.modules.size, px = Math.floor((Math.min(W, H) * 0.8) / (n + 8));
  const x0 = Math.floor((W - px * (n + 8)) / 2) + 4 * px, y0 = Math.floor((H - px * (n + 8)) / 2) + 4 * px;
  const luma = Buffer.alloc(W * H, 235);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    if (!qr.modules.get(r, c)) continue;
    for (let dy = 0; dy < px; dy++) luma.fill(16, (y0 + r * px + dy) * W + x0 + c * px, (y0 + r * px + dy) * W + x0 + (c + 1) * px);
  }
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, Buffer.alloc((W / 2) * (H / 2) * 2, 128)]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F5:1 Ip A1:1 C420jpeg\n`), frame, frame]);
}

// jpegSize reads a JPEG's width and height from its SOF marker.
function jpegSize(buf) {
  for (let i = 2; i + 9 < buf.length;) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1], len = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return { h: buf.readUInt16BE(i + 5), w: buf.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}

// view reads what the page shows in one round trip.
const view = () => page.evaluate(async () => {
  const q = (s) => document.querySelector(s);
  const text = (s) => q(s)?.textContent ?? null;
  const map = (await import("/m/js/map.js")).drawn();
  const toward = q("#next-point .toward, #live .toward");
  return {
    hash: location.hash, title: text("#screen h2"), bar: text("#bar"),
    cards: [...document.querySelectorAll(".task-card")].map((a) => ({ id: a.dataset.taskId, status: a.dataset.status, text: a.textContent })),
    next: q("#next-point .next-card")?.dataset.point ?? null, nextText: text("#next-point"),
    distance: toward ? Number(toward.dataset.distance) : null, bearing: toward ? Number(toward.dataset.bearing) : null,
    towardText: toward?.textContent ?? null,
    rows: [...document.querySelectorAll("#points .point-row")].map((r) => ({ point: r.dataset.point, status: r.dataset.status })),
    inside: q("#live .radius")?.dataset.inside ?? null, live: text("#live"),
    outcome: q("#outcome") && !q("#outcome").hidden ? { cls: q("#outcome").className, code: q("#outcome").dataset.code, status: q("#outcome").dataset.status ?? null,
      title: text("#outcome .outcome-title"), detail: text("#outcome .outcome-detail"), text: text("#outcome"),
      fails: [...document.querySelectorAll("#outcome .results li.fail")].map((li) => li.dataset.key) } : null,
    codeValue: q("#code-input")?.value ?? null, scanNote: text(".scan-note"), formError: text("#form-error"),
    scanning: Boolean(q("#scan")), failure: text(".failure"), retry: Boolean(q(".failure .retry")), map,
  };
});

async function waitView(ok, what, ms = 10000) {
  let last = null;
  return until(async () => { last = await view(); return ok(last) && last; }, ms, () => `${what}: ${JSON.stringify(last)}`);
}

test("the inspector signs in and sees today's tasks", async () => {
  await page.goto(server.url + "m/");
  await page.locator("#login-form").waitFor();
  assert.equal(await page.locator("#bar h1").textContent(), "智能巡检");
  await page.fill('#login-form input[name="username"]', "inspector");
  await page.fill('#login-form input[name="password"]', "demo");
  await page.locator("#login-form button[type=submit]").tap();
  const v = await waitView((s) => s.cards.length > 0, "task list");
  assert.equal(v.title, "今日巡检任务");
  assert.match(v.bar, new RegExp(user.display_name));
  const card = v.cards.find((c) => c.id === task.id);
  assert.ok(card, `task ${task.id} not listed: ${JSON.stringify(v.cards)}`);
  assert.equal(card.status, "open");
  const done = task.points.filter((p) => p.status === "done" || p.status === "late").length;
  assert.match(card.text, new RegExp(`已检 ${done}/${task.points.length}`));
  assert.match(card.text, /进行中/);
  assert.match(card.text, /\d\d:\d\d–\d\d:\d\d/);
  // the token is kept for the tab: a reload stays signed in
  await page.reload();
  await waitView((s) => s.cards.length > 0, "task list after a reload");
});

test("a task shows the plant map and the next point's distance and direction, following the tag", async () => {
  await pin(north(point.location, AWAY_M));
  await page.locator(`.task-card[data-task-id="${task.id}"]`).tap();
  const v = await waitView((s) => s.next === point.point && s.distance !== null && Math.abs(s.distance - AWAY_M) < 5 && s.map.me,
    "next point 60 m south of me", 15000);
  assert.ok(v.bearing >= 175 && v.bearing <= 185, `bearing ${v.bearing}`);
  const words = v.towardText.match(/^(\d+) m 南 (\d+)°$/);
  assert.ok(words && Math.abs(Number(words[1]) - v.distance) <= 0.5 && Number(words[2]) === v.bearing, v.towardText);
  assert.deepEqual(v.rows.map((r) => r.point), task.points.map((p) => p.point), "points in route order");
  assert.deepEqual(v.map.points.map((p) => [p.point, p.status]), task.points.map((p) => [p.point, p.status]));
  assert.deepEqual(v.map.points.filter((p) => p.next).map((p) => p.point), [point.point]);
  assert.equal(v.map.radiusM, point.radius_m);
  assert.ok(Math.abs(v.map.me[1] - north(point.location, AWAY_M)[1]) < 1e-6, `my marker at ${v.map.me}`);
  await waitView((s) => s.map.tiles > 0, "basemap tiles drawn");
});

test("a check-in 60 m from the point is refused in words with the distance", async () => {
  await page.locator("#next-point .next-card").tap();
  await page.locator("#checkin-form").waitFor();
  await waitView((s) => s.inside === "false" && Math.abs(s.distance - AWAY_M) < 5, "outside the radius");
  await fillChecklist();
  await page.fill("#code-input", code);
  const resp = await checkIn();
  assert.equal(resp.status, 422);
  expectedErrors.push(/status of 422/);
  const v = await waitView((s) => s.outcome, "refusal shown");
  assert.equal(v.outcome.code, "too_far");
  assert.equal(v.outcome.title, "打卡未通过");
  const m = v.outcome.detail.match(/^距离巡检点 (\d+) m，需在 (\d+) m 内$/);
  assert.ok(m, v.outcome.detail);
  assert.ok(Math.abs(Number(m[1]) - AWAY_M) <= 3, v.outcome.detail);
  assert.equal(Number(m[2]), point.radius_m);
});

test("at the point past its dwell: a wrong code is refused, the camera reads the QR code, and the check-in finds a hazard", async () => {
  const since = Date.now();
  await pin(point.location);
  await waitView((s) => s.inside === "true", "inside the radius on the page", 10000);
  // the server's dwell counts from the first fix inside, stamped LEAD_S ahead
  await sleep(Math.max(0, since + (point.min_dwell_s + LEAD_S + 1.5) * 1000 - Date.now()));
  await page.fill("#code-input", code + "-X");
  let resp = await checkIn();
  assert.equal(resp.status, 422, JSON.stringify(resp.json));
  let v = await waitView((s) => s.outcome && s.outcome.code === "code_mismatch", "code_mismatch shown");
  assert.equal(v.outcome.detail, "编码与该巡检点不符，请扫描该点的二维码");

  await page.fill("#code-input", "");
  await page.locator("#scan-button").tap();
  v = await waitView((s) => !s.scanning && s.codeValue, "QR code read by the camera", 15000);
  assert.equal(v.codeValue, code);
  assert.equal(v.scanNote, "已识别编码");
  assert.equal(await page.evaluate(() => document.querySelectorAll("video").length), 0, "the camera view is gone");

  // a photo from the phone's camera: 2400 px, sent as JPEG ≤ 1600 px
  const [upload] = await Promise.all([
    page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/api/v1/inspections/photos")),
    page.setInputFiles("#photos-input", { name: "site.png", mimeType: "image/png", buffer: await QRCode.toBuffer(code, { width: 2400 }) }),
  ]);
  assert.equal(upload.headers()["content-type"], "image/jpeg");
  const size = jpegSize(upload.postDataBuffer());
  assert.ok(size && Math.max(size.w, size.h) <= 1600 && size.w > 1000, `uploaded ${JSON.stringify(size)}`);
  await page.locator(".thumbs img").waitFor();

  resp = await checkIn();
  assert.equal(resp.status, 201, JSON.stringify(resp.json));
  v = await waitView((s) => s.outcome && s.outcome.cls.includes("ok"), "check-in accepted");
  assert.equal(v.outcome.status, "1");
  assert.match(v.outcome.title, /打卡成功 · 发现隐患/);
  assert.ok(v.outcome.cls.includes("hazard"));
  assert.deepEqual(v.outcome.fails, [outOfRange.key]);
  const facts = v.outcome.detail.match(/^距离 (\d+) m · 停留 (\d+) 秒$/);
  assert.ok(facts && Number(facts[1]) <= point.radius_m && Number(facts[2]) >= point.min_dwell_s, v.outcome.detail);
  assert.ok(resp.json.dangers.length >= 1, "a hidden danger is raised");
  assert.match(v.outcome.text, new RegExp(`已登记隐患 ${resp.json.dangers.length} 条`));
  assert.equal(resp.json.photos.length, 1 + point.checklist.filter((it) => it.kind === "photo").length, "the photos went with the check-in");
  await page.screenshot({ path: join(outDir, "mobile.png") });

  // the server's side: the danger at the point for the failed item, and
  // both refusals kept as attempts (假检 leaves a trail)
  const danger = await rest("GET", `/api/v1/hidden-dangers/${encodeURIComponent(resp.json.dangers[0])}`);
  assert.equal(danger.point, point.point);
  assert.equal(danger.item, outOfRange.key);
  const manager = (await rest("POST", "/api/v1/auth/login", { username: "manager", password: "demo" })).token;
  const { attempts } = await rest("GET", `/api/v1/inspections/attempts?person=${user.person_id}&point=${encodeURIComponent(point.point)}`,
    undefined, { Authorization: "Bearer " + manager });
  assert.deepEqual(attempts.map((a) => a.code).sort(), ["code_mismatch", "too_far"]);
});

test("back on the task the point is checked and the next one is due; offline shows a retry", async () => {
  await page.locator("#back-to-task").tap();
  const following = task.points.find((p) => p.status === "due" && p.point !== point.point);
  const v = await waitView((s) => s.rows.find((r) => r.point === point.point)?.status !== "due" && s.next, "task after the check-in");
  assert.match(v.rows.find((r) => r.point === point.point).status, /^(done|late)$/);
  assert.equal(v.next, following ? following.point : null);
  assert.equal(v.map.points.find((p) => p.point === point.point).status, v.rows.find((r) => r.point === point.point).status);
  await page.screenshot({ path: join(outDir, "mobile-task.png") });

  await context.setOffline(true);
  expectedErrors.push(/ERR_INTERNET_DISCONNECTED/);
  await page.locator(".back").tap();
  const off = await waitView((s) => s.retry, "failure with a retry button");
  assert.equal(off.failure.startsWith("网络连接失败"), true, off.failure);
  await context.setOffline(false);
  await page.locator(".failure .retry").tap();
  await waitView((s) => s.cards.some((c) => c.id === task.id), "task list back after retry");

  await page.locator("#lang").tap();
  const en = await waitView((s) => s.title === "Today's rounds" && s.cards.some((c) => c.id === task.id), "English");
  assert.match(en.cards.find((c) => c.id === task.id).text, /checked/);
  await page.locator("#lang").tap();
  await waitView((s) => s.title === "今日巡检任务", "back to Chinese");
});

test("no console errors and no request off the server", () => {
  const unexpected = errors.filter((e) => !expectedErrors.some((re) => re.test(e)));
  assert.deepEqual(unexpected, []);
  assert.deepEqual(outside, []);
});

// outOfRange is the reading the test puts out of range.
let outOfRange = null;

// fillChecklist answers every item of the point: yes to every yes/no, a
// reading within range to every number but the first, which is set above
// its range (or below when it has only a minimum), a photo where one is
// asked, a word where text is.
async function fillChecklist() {
  const items = point.checklist;
  outOfRange = items.find((it) => it.kind === "number" && (it.max !== undefined || it.min !== undefined));
  assert.ok(outOfRange, `point ${point.point} has no reading with a range`);
  for (const it of items) {
    const sel = `.item[data-key="${it.key}"]`;
    if (it.kind === "bool") await page.locator(`${sel} button[data-answer=yes]`).tap();
    else if (it.kind === "text") await page.fill(`${sel} input`, "ok");
    else if (it.kind === "photo") {
      await page.setInputFiles(`${sel} input[type=file]`, { name: "p.png", mimeType: "image/png", buffer: await QRCode.toBuffer(it.key, { width: 400 }) });
      await page.locator(`${sel} .thumb-one img`).waitFor();
    } else if (it.kind === "number") {
      let value = it.min !== undefined && it.max !== undefined ? (it.min + it.max) / 2 : it.max !== undefined ? it.max : it.min;
      if (it === outOfRange) value = it.max !== undefined ? it.max + Math.max(1, Math.abs(it.max) * 0.5) : it.min - Math.max(1, Math.abs(it.min) * 0.5);
      await page.fill(`${sel} input`, String(value));
      if (it === outOfRange) assert.equal(await page.locator(`${sel} .oor`).textContent(), "超出范围，将登记隐患");
    }
  }
}

// checkIn taps the check-in button and returns the server's answer.
async function checkIn() {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/v1/inspections/checkins"), { timeout: 10000 }),
    page.locator("#checkin-button").tap(),
  ]);
  return { status: resp.status(), json: await resp.json() };
}
