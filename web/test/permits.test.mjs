// Browser tests of the special-work permit views (W6 item 6) against the
// built binary with the demo plant: a manager books a hot-work permit with
// the form, drawing its area with mouse clicks on the map; the permits
// layer draws it in the planned state's colour and dashed outline, and
// today's work lists it; its card shows the measures and the server's
// live checks — the guardian on post at the distance the server gives
// once their tag is placed at the work over MQTT, the headcount, the gas
// near the work — refuses steps with their code in words (risk analysis
// missing, measures unconfirmed, gas analysis missing), and carries the
// permit through risk analysis, briefing, the sixteen measures, a gas
// analysis and the on-site sign-off to the work in progress, the map's
// colour following; then the card and the list in English. A confined
// space booked over REST is re-issued through its card — the form
// prefilled, the old permit void and linked to the new one — and, driven
// to work in progress over REST, keeps its entry register through the
// card: a worker goes in, the guardian is refused, closing is refused
// while the worker is inside, the worker comes out and the work closes;
// the card prints the permit in a new tab, and today's work exports the
// day as CSV.
//
// Software WebGL keeps the page's main thread busy: the checks read the
// card in one round trip (snap) rather than element by element.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { startServer, openViewer, outDir, sleep, until, login } from "./harness.mjs";

// permits.js GROUPS (Okabe–Ito)
const PLANNED = "#56b4e9", APPROVED = "#009e73", RUNNING = "#e69f00";
// demo registry (README "Demo users"; scenes/demo/registry.json): the
// manager's person, two welders holding 熔化焊接与热切割作业 certificates,
// and the guardian
const MANAGER = "PS-0001", WELDERS = ["PS-0273", "PS-0276"], GUARDIAN = "PS-0064";
// the confined space's workers and guardian (内操 of the demo registry)
const CS_WORKERS = ["PS-0100", "PS-0101"], CS_GUARDIAN = "PS-0102";

let server, view, page;
let permitId = null, centre = null, hotRing = null, names = {};
let pinTimer = null;
const pins = new Map(); // tag → [lon, lat] that pin() publishes

before(async () => {
  server = await startServer();
  view = await openViewer(server);
  page = view.page;
});

after(async () => {
  clearInterval(pinTimer);
  await view?.browser.close();
  await server?.stop();
});

// snap reads the permits panel in one go: the card, the list row of the
// permit, and what the map draws of it (permits.js drawnPermits).
const snap = (which = permitId) => page.evaluate(async (id) => {
  const q = (s) => document.querySelector(s);
  const text = (s) => q(s)?.textContent ?? null;
  const drawn = (await import("/js/permits.js")).drawnPermits();
  const row = id && q(`#permit-rows .permit-row[data-permit-id="${id}"]`);
  return {
    card: Boolean(q("#permit-card")) && !q("#permit-card").hidden,
    status: q("#permit-card-status")?.dataset.status ?? null, statusText: text("#permit-card-status"),
    title: text("#permit-card-title"), sub: text("#permit-card-sub"),
    message: text("#permit-card-message .permit-message-text"), detail: text("#permit-card-message .permit-message-detail"),
    code: q("#permit-card-message")?.dataset.code ?? null, bad: Boolean(q("#permit-card-message.tone-bad")),
    facts: text("#permit-facts"), live: text("#permit-live"),
    onPost: q("#permit-live-guardian")?.dataset.onPost ?? null, guardian: text("#permit-live-guardian"),
    guardianColour: q("#permit-live-guardian") ? getComputedStyle(q("#permit-live-guardian")).color : null,
    distance: text("#permit-live-guardian .permit-live-distance"), headcount: text("#permit-live-headcount"),
    analysis: text("#permit-live-analysis"), gasRows: document.querySelectorAll("#permit-live-gas tbody tr").length,
    gasNone: Boolean(q("#permit-live-gas-none")),
    measuresHead: text("#permit-measures h3"),
    measures: [...document.querySelectorAll("#permit-measures li")].map((li) => ({ n: Number(li.dataset.measure), done: li.classList.contains("done"),
      text: li.querySelector(".permit-measure-text").textContent, all: li.textContent })),
    analyses: [...document.querySelectorAll("#permit-gas-list tbody tr")].map((tr) => ({ pass: tr.dataset.pass, text: tr.textContent })),
    steps: [...document.querySelectorAll("#permit-actions [data-step]")].map((b) => [b.dataset.step, b.textContent]),
    row: row ? { name: row.querySelector(".permit-name").textContent, status: row.querySelector(".permit-status").textContent,
      window: row.querySelector(".permit-window").textContent, group: row.closest("section").dataset.group } : null,
    drawn: drawn.permits.find((p) => p.id === id) || null, shown: drawn.shown,
    layerToggle: Boolean(q('#layer-panel input[data-layer="permits"]')?.checked),
    heading: text("#permits-panel h2"), day: q("#permit-day")?.value ?? null, area: text("#permit-area-status"),
    workers: [...document.querySelectorAll("#permit-workers li")].map((e) => e.dataset.person),
    approvers: q("#permit-form input[name=approvers]")?.value ?? null, hint: text("#permit-level-hint"),
    planned: text('#permit-legend [data-group="planned"] b'),
    register: [...document.querySelectorAll("#permit-register-list tbody tr")].map((tr) => ({ ...tr.dataset, text: tr.textContent })),
    inside: text("#permit-register-inside"), registerForm: Boolean(q("#permit-register-form")) && !q("#permit-register-form").hidden,
    reissue: Boolean(q("#permit-reissue")), reissuedFrom: q("#permit-reissued-from")?.dataset.open ?? null,
    reissuedAs: q("#permit-reissued-as")?.dataset.open ?? null,
    info: q("#info-panel") && !q("#info-panel").hidden ? { title: text("#info-title"), fields: text("#info-panel .info-fields") } : null,
    form: q("#permit-form-host") && !q("#permit-form-host").hidden ? {
      title: text("#permit-form-host h2"), note: text("#permit-reissue-note"), type: q("#permit-form select[name=type]")?.value,
      content: q("#permit-form textarea[name=content]")?.value, guardian: q("#permit-form input[name=guardian]")?.value,
      submit: text("#permit-submit") } : null,
  };
}, which);

// waitSnap polls snap (of permit id) until ok(snap) holds, and returns
// that snap.
async function waitSnap(ok, what, ms = 10000, id = permitId) {
  let last = null;
  return until(async () => { last = await snap(id); return ok(last) && last; }, ms, () => `${what}: ${JSON.stringify(last)}`);
}

// get reads the REST API from the test (not through the busy page).
async function get(path) {
  const r = await fetch(new URL(path, server.url));
  assert.ok(r.ok, `GET ${path}: ${r.status}`);
  return r.json();
}

// click clicks what selector finds on the card and returns the server's
// answer to the POST it makes for permit id: HTTP status and body.
async function click(selector, id = permitId) {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes(`/api/v1/permits/${id}/`), { timeout: 10000 }),
    page.locator(selector).click(),
  ]);
  return { status: resp.status(), json: await resp.json() };
}

// step clicks a workflow button of the card.
const step = (name, id = permitId) => click(`#permit-actions [data-step="${name}"]`, id);

// rest calls the REST API from the test as user (test setup: the browser
// tests what it shows); it fails the test on a refusal.
const tokens = {};
async function rest(user, method, path, body) {
  if (!tokens[user]) {
    const r = await fetch(new URL("/api/v1/auth/login", server.url), { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: user, password: "demo" }) });
    tokens[user] = (await r.json()).token;
  }
  const r = await fetch(new URL(path, server.url), { method, headers: { Authorization: "Bearer " + tokens[user], "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

// pin publishes the pinned tags' positions. The simulator walks every
// registered tag; stamped 30 s ahead (within ingest's 60 s future skew)
// these fixes make its own ones out of order, so the pinned stay put.
const pin = () => Promise.all([...pins].map(([tag, [lon, lat]]) =>
  server.publish(`chemtwin/demo/tags/${tag}/position`, { lon, lat, ts: Date.now() + 30000 })));
const tagOf = async (id) => (await get("/api/v1/entities/" + id)).properties.tag;

test("a manager books a hot-work permit by drawing its area; the map and today's work show it", async () => {
  await login(page, "manager");
  await page.click("#tool-permits");
  await page.locator("#permits-panel").waitFor({ state: "visible", timeout: 5000 });
  const site = await get("/api/v1/entities/demo");
  const bbox = (await get("/ogc/collections/areas")).extent.spatial.bbox[0];
  for (const id of [...WELDERS, GUARDIAN]) names[id] = (await get("/api/v1/entities/" + id)).properties.name;
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: site.properties.timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  const opened = await snap();
  assert.equal(opened.heading, "今日作业");
  assert.equal(opened.day, today, "today's work is not the site's today");

  await page.click("#permit-new");
  const form = page.locator("#permit-form");
  await form.locator("select[name=type]").waitFor({ timeout: 10000 });
  // the area: three clicks and a double-click right of the dock panel
  await page.click("#permit-draw");
  const box = await page.locator("#map canvas").first().boundingBox();
  const at = (fx, fy) => [box.x + box.width * fx, box.y + box.height * fy];
  for (const [fx, fy] of [[0.62, 0.32], [0.7, 0.32], [0.7, 0.42]]) {
    await page.mouse.click(...at(fx, fy));
    await sleep(150);
  }
  await page.mouse.dblclick(...at(0.62, 0.42));
  await waitSnap((x) => /多边形，4 个顶点/.test(x.area), "the area not drawn", 5000);

  // hot work (the first type) of the special level; the workers by id and
  // by name at once, the guardian by name
  await form.locator("select[name=level]").selectOption("special");
  await form.locator("input[name=worker_pick]").fill(`${WELDERS[0]}, ${names[WELDERS[1]]}`);
  await form.locator("input[name=worker_pick]").press("Enter");
  await form.locator("input[name=guardian]").fill(names[GUARDIAN]);
  await form.locator("select[name=substance]").selectOption("methane");
  await form.locator("input[name=emergency]").check(); // booked today, not a day ahead
  const filled = await snap();
  assert.deepEqual(filled.workers, WELDERS);
  assert.equal(filled.approvers, "manager", "the user is not the default approver");
  assert.match(filled.hint, /有效期不超过 8 小时 · 审批：主管厂长或总工程师/);

  const isPost = (r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/v1/permits";
  const [req, resp] = await Promise.all([
    page.waitForRequest(isPost, { timeout: 10000 }),
    page.waitForResponse((r) => isPost(r.request()), { timeout: 10000 }),
    form.locator("#permit-submit").click(),
  ]);
  const body = JSON.parse(req.postData());
  assert.equal(resp.status(), 201, await resp.text());
  permitId = (await resp.json()).id;
  assert.equal(body.type, "hot_work");
  assert.equal(body.level, "special");
  assert.deepEqual(body.workers, WELDERS);
  assert.equal(body.guardian, GUARDIAN);
  assert.deepEqual(body.approvers, ["manager"]);
  assert.equal(body.substance, "methane");
  assert.equal(body.emergency, true);
  assert.equal(Date.parse(body.end) - Date.parse(body.start), 8 * 3600e3, "default window: 8 h");
  assert.ok(Math.abs(Date.parse(body.start) - Date.now()) < 120e3, `start ${body.start} is not now`);
  assert.equal(body.geometry.type, "Polygon");
  const ring = hotRing = body.geometry.coordinates[0];
  assert.equal(ring.length, 5, `four corners, closed: ${JSON.stringify(ring)}`);
  assert.deepEqual(ring[0], ring[4]);
  assert.equal(new Set(ring.slice(0, 4).map(String)).size, 4, "four distinct corners");
  const [w, s, e, n] = bbox;
  for (const [lon, lat] of ring) assert.ok(lon > w && lon < e && lat > s && lat < n, `corner ${lon},${lat} off site`);
  centre = [ring.slice(0, 4).reduce((a, c) => a + c[0], 0) / 4, ring.slice(0, 4).reduce((a, c) => a + c[1], 0) / 4];

  // the card opens on the booked permit; the map draws it planned: dashed,
  // in the booked colour — hidden in the safety view until shown
  const c = await waitSnap((x) => x.card && x.status === "booked" && x.drawn, "booked permit not shown");
  assert.match(c.statusText, /已预约\s*状态代码 0/);
  assert.equal(c.title, "特级动火作业");
  assert.match(c.sub, new RegExp(`${permitId} · 类别代码 01`));
  assert.match(c.message, new RegExp(`已预约作业票 ${permitId}`));
  for (const id of [...WELDERS, GUARDIAN]) assert.ok(c.facts.includes(`${names[id]} (${id})`), `${id} not on the card: ${c.facts}`);
  assert.match(c.facts, /manager\s*待签（下一位）/);
  assert.match(c.facts, /预约紧急作业，当日预约/);
  const d = c.drawn;
  assert.deepEqual({ status: d.status, group: d.group, colour: d.colour, outline: d.outline, parts: d.parts },
    { status: "booked", group: "planned", colour: PLANNED, outline: "dashed", parts: 1 });
  assert.equal(c.shown, false, "permits show in the safety view, which has them off");

  // today's work lists it, in the planned group; the layer shows on request
  await page.click("#permit-back");
  const l = await waitSnap((x) => x.row, "not in today's work");
  assert.deepEqual({ name: l.row.name, status: l.row.status, group: l.row.group }, { name: "特级动火作业", status: "已预约", group: "planned" });
  assert.match(l.row.window, /^(\d{2}-\d{2} )?\d{2}:\d{2} – (\d{2}-\d{2} )?\d{2}:\d{2}$/);
  assert.equal(l.planned, "1");
  await page.click("#permit-show-layer");
  await waitSnap((x) => x.shown && x.layerToggle, "the permits layer (and its toggle) did not show", 5000);
  // filtered by type
  await page.locator("#permit-type-filter").selectOption("height");
  await waitSnap((x) => !x.row, "a hot-work permit under work at height", 5000);
  await page.locator("#permit-type-filter").selectOption("");
  await waitSnap((x) => x.row, "the filter did not clear", 5000);
});

test("the card shows the live checks and carries the permit to work in progress, refusals shown by code", async () => {
  assert.ok(permitId, "no permit booked");
  // a click on the row flies there and opens the card
  await page.locator(`.permit-row[data-permit-id="${permitId}"] .permit-row-main`).click();
  await waitSnap((x) => x.card && x.status === "booked", "the card did not open");

  // The guardian and the approver (the manager) go to the work: their tags
  // report the work's centre while the test runs.
  for (const id of [GUARDIAN, MANAGER]) pins.set(await tagOf(id), centre);
  await pin();
  pinTimer = setInterval(() => pin().catch((err) => console.warn("publish failed", err.message)), 2000);

  // live checks: the guardian on post at the server's distance, the
  // headcount, the gas near the work; sixteen measures, none confirmed
  let c = await waitSnap((x) => x.onPost === "true", "guardian not on post", 15000);
  const api = await get(`/api/v1/permits/${permitId}`);
  const live = api.live;
  assert.ok(live, "GET one permit has no live checks");
  assert.equal(live.guardian.id, GUARDIAN);
  assert.equal(live.guardian.on_post, true);
  assert.equal(c.distance, `${live.guardian.distance_m.toFixed(1)} m`);
  assert.match(c.guardian, new RegExp(`在岗（围栏 ${live.fence_radius_m} m 内）`));
  assert.equal(c.guardianColour, "rgb(82, 196, 26)", "on post is not green");
  assert.match(c.headcount, /^\d+ \/ 限 3 人/);
  assert.match(c.live, /周边气体（10 m 内探测器）/);
  if (live.gas.length === 0) assert.ok(c.gasNone, "no 'no detector' note");
  else assert.ok(c.gasRows > 0, "detectors near the work not listed");
  assert.match(c.analysis, /^无/);
  assert.equal(c.measures.length, 16);
  assert.match(c.measuresHead, /安全措施（已确认 0\/16）/);
  assert.equal(c.measures[0].text, api.measures[0].zh);

  let r = await step("apply");
  assert.equal(r.json.status, "applied");
  c = await waitSnap((x) => x.status === "applied" && x.drawn?.status === "applied", "not applied on the card and the map");
  assert.match(c.statusText, /已申请/);
  assert.equal(c.drawn.colour, PLANNED);

  // refused: no risk analysis yet (the approver is on site)
  r = await step("approve");
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, "risk_analysis_missing");
  c = await waitSnap((x) => x.code === "risk_analysis_missing", "refusal not shown");
  assert.equal(c.message, "尚未完成风险辨识（PTW 80）");
  assert.ok(c.bad, "the refusal is not shown as one");

  assert.equal((await step("risk-analysis")).status, 200);
  await waitSnap((x) => x.steps.some(([s]) => s === "briefing") && !x.steps.some(([s]) => s === "risk-analysis"), "risk analysis not done");
  assert.equal((await step("briefing")).status, 200);
  c = await waitSnap((x) => !/未完成/.test(x.facts), "risk analysis and briefing not shown as done");
  assert.match(c.facts, /风险辨识manager · .*安全交底manager · /);

  // refused: the measures not confirmed
  r = await step("approve");
  assert.equal(r.json.error.code, "measures_unconfirmed");
  c = await waitSnap((x) => x.code === "measures_unconfirmed", "refusal not shown");
  assert.equal(c.message, "安全措施尚未全部确认（PTW 90）");
  assert.match(c.detail, /measures 1, 2, .* are not confirmed/);

  // confirm them one by one, each once the card shows the one before
  // confirmed (in the page: a round trip per click is slow in software WebGL)
  const confirmed = await page.evaluate(async () => {
    const buttons = () => document.querySelectorAll("#permit-measures .permit-confirm");
    const done = [];
    for (let left = buttons().length; left > 0; left--) {
      const b = buttons()[0];
      const n = b.dataset.n;
      b.click();
      const end = Date.now() + 5000;
      while (buttons().length !== left - 1 || !document.querySelector(`#permit-measures li[data-measure="${n}"].done`)) {
        if (Date.now() > end) throw new Error(`measure ${n} not shown confirmed`);
        await new Promise((r) => setTimeout(r, 25));
      }
      done.push(Number(n));
    }
    return done;
  });
  assert.deepEqual(confirmed, Array.from({ length: 16 }, (_, i) => i + 1));

  // refused: no gas analysis (hot work, GB 30871-2022) — in words, in both languages
  r = await step("approve");
  assert.equal(r.json.error.code, "gas_analysis_missing");
  c = await waitSnap((x) => x.code === "gas_analysis_missing", "refusal not shown");
  assert.equal(c.message, "缺少气体分析（PTW 01）");
  assert.match(c.measuresHead, /安全措施（已确认 16\/16）/);
  assert.ok(c.measures.every((m) => m.done && /✓ manager · /.test(m.all)), "a measure not shown confirmed by the manager");
  await page.click("#lang-toggle");
  await waitSnap((x) => x.message === "Gas analysis missing (PTW 01)", "the refusal not in English", 5000);
  await page.click("#lang-toggle");
  await waitSnap((x) => x.message === "缺少气体分析（PTW 01）", "the refusal not back in Chinese", 5000);

  // a passing gas analysis (methane 0.1 %vol ≤ 0.5 %vol: LEL ≥ 4 %vol)
  // (the form offers the permit's substance and %VOL, sampled now)
  const gas = page.locator("#permit-gas-form");
  const defaults = await gas.evaluate((f) => ({ gas: f.elements.gas.value, unit: f.elements.unit.value, at: f.elements.sampled_at.value }));
  assert.deepEqual({ gas: defaults.gas, unit: defaults.unit }, { gas: "methane", unit: "%VOL" });
  assert.match(defaults.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  await gas.locator("input[name=value]").fill("0.1");
  const [gasResp] = await Promise.all([
    page.waitForResponse((x) => x.url().endsWith(`/api/v1/permits/${permitId}/gas-analyses`), { timeout: 10000 }),
    gas.locator("button[type=submit]").click(),
  ]);
  assert.equal(gasResp.status(), 201, await gasResp.text());
  c = await waitSnap((x) => x.message === "已记录气体分析：合格" && /合格/.test(x.analysis), "the analysis not shown on the card and in the live checks");
  assert.equal(c.analyses.length, 1);
  assert.equal(c.analyses[0].pass, "true");
  assert.match(c.analyses[0].text, /0\.1 %VOL\s*合格 限值 0\.5 %VOL/);

  // signed off on site, then started: the map follows
  r = await step("approve");
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.status, "approved");
  c = await waitSnap((x) => x.status === "approved" && x.drawn?.colour === APPROVED, "not approved on the card and the map");
  assert.match(c.statusText, /已签发\s*状态代码 1/);
  assert.equal(c.drawn.outline, "solid");
  assert.match(c.facts, /manager\s*✓ /);

  r = await step("start");
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.status, "in_progress");
  c = await waitSnap((x) => x.status === "in_progress" && x.drawn?.colour === RUNNING && x.onPost === "true", "not in progress on the card and the map");
  assert.match(c.statusText, /作业中\s*状态代码 2/);
  assert.equal(c.drawn.width, 4);
  await page.screenshot({ path: join(outDir, "viewer-permit.png") });
});

test("the card and the list in English", async () => {
  assert.ok(permitId, "no permit booked");
  await page.click("#lang-toggle");
  const c = await waitSnap((x) => x.title === "Hot work (Special)", "title not in English", 5000);
  assert.match(c.statusText, /In progress\s*status code 2/);
  assert.match(c.measuresHead, /Safety measures \(16\/16 confirmed\)/);
  assert.equal(c.measures[0].text, (await get(`/api/v1/permits/${permitId}`)).measures[0].en);
  assert.match(c.guardian, /on post \(within the 15 m fence\)/);
  assert.match(c.headcount, /^\d+ \/ 3 allowed/);
  assert.deepEqual(c.steps, [["suspend", "Suspend"], ["close", "Accept and close"]]);
  // every word in English but people's names
  const text = await page.locator("#permit-card").evaluate((el) => {
    const copy = el.cloneNode(true);
    for (const p of copy.querySelectorAll(".permit-person")) p.remove();
    return copy.textContent;
  });
  assert.ok(!/[\u4e00-\u9fff]/.test(text), `Chinese left on the English card: ${text.match(/[^\x00-\x7f]*[\u4e00-\u9fff][^\x00-\x7f]*/g)}`);
  await page.click("#permit-back");
  const l = await waitSnap((x) => x.row, "not in today's work", 5000);
  assert.deepEqual([l.row.name, l.row.status], ["Hot work (Special)", "In progress"]);
  await page.click("#lang-toggle");
  await waitSnap((x) => x.row?.status === "作业中", "the list not back in Chinese", 5000);
});

let oldId = null, csId = null, csPoint = null;

test("a confined space is re-issued through its card: the form prefilled, the old permit void and linked", async () => {
  assert.ok(hotRing, "no hot-work permit booked");
  // the confined space: a work point 30 m east of the hot work's area (not
  // the same place: that would need the permits related)
  const east = Math.max(...hotRing.map(([lon]) => lon));
  const round = (v) => Math.round(v * 1e8) / 1e8; // as the form sends it
  csPoint = [round(east + 30 / (111320 * Math.cos((centre[1] * Math.PI) / 180))), round(centre[1])];
  for (const id of [...CS_WORKERS, CS_GUARDIAN]) names[id] = (await get("/api/v1/entities/" + id)).properties.name;
  // from the minute before (the form's times are to the minute)
  const start = Math.floor(Date.now() / 60e3) * 60e3 - 60e3;
  const old = await rest("manager", "POST", "/api/v1/permits", {
    type: "confined_space", level: "", content: "清理 V-101 储罐内部残渣", geometry: { type: "Point", coordinates: csPoint },
    start: new Date(start).toISOString(), end: new Date(start + 8 * 3600e3).toISOString(),
    workers: CS_WORKERS, guardian: CS_GUARDIAN, approvers: ["manager"], substance: "methane",
  });
  oldId = old.id;

  // its card from today's work: the work's description, 重新办理
  await page.locator(`.permit-row[data-permit-id="${oldId}"] .permit-row-main`).click({ timeout: 10000 });
  let c = await waitSnap((x) => x.card && x.status === "booked" && x.reissue, "the booked confined space's card", 10000, oldId);
  assert.match(c.facts, /作业内容清理 V-101 储罐内部残渣/);

  // the form, prefilled from the permit
  await page.click("#permit-reissue");
  c = await waitSnap((x) => x.form && x.form.type === "confined_space", "the re-issue form not shown", 5000, oldId);
  assert.deepEqual(c.form, { title: `重新办理作业票 ${oldId}`, note: `提交后原作业票 ${oldId} 作废（已过期的仍为过期）`, type: "confined_space",
    content: "清理 V-101 储罐内部残渣", guardian: `${names[CS_GUARDIAN]} (${CS_GUARDIAN})`, submit: "重新办理" });
  assert.deepEqual(c.workers, CS_WORKERS);
  assert.equal(c.approvers, "manager");
  assert.equal(c.area, "作业点");

  // a changed description, then re-issued
  await page.locator("#permit-form textarea[name=content]").fill("清理 V-101 储罐内部残渣并更换人孔垫片");
  const isReissue = (r) => r.method() === "POST" && new URL(r.url()).pathname === `/api/v1/permits/${oldId}/reissue`;
  const [req, resp] = await Promise.all([
    page.waitForRequest(isReissue, { timeout: 10000 }),
    page.waitForResponse((r) => isReissue(r.request()), { timeout: 10000 }),
    page.click("#permit-submit"),
  ]);
  assert.equal(resp.status(), 201, await resp.text());
  csId = (await resp.json()).id;
  const body = JSON.parse(req.postData());
  assert.deepEqual({ type: body.type, level: body.level, content: body.content, workers: body.workers, guardian: body.guardian, approvers: body.approvers, substance: body.substance },
    { type: "confined_space", level: "", content: "清理 V-101 储罐内部残渣并更换人孔垫片", workers: CS_WORKERS, guardian: CS_GUARDIAN, approvers: ["manager"], substance: "methane" });
  assert.deepEqual(body.geometry, old.geometry);
  assert.deepEqual([body.start, body.end].map(Date.parse), [old.start, old.end].map(Date.parse), "the window still ahead is kept");

  // the new card names the old permit; the old card shows it void and
  // links the new one
  c = await waitSnap((x) => x.card && x.status === "booked" && x.reissuedFrom === oldId, "the new permit's card", 10000, csId);
  assert.equal(c.message, `已重新办理为 ${csId}，原作业票 ${oldId} 已作废`);
  assert.equal(c.title, "受限空间作业");
  await page.click("#permit-reissued-from");
  c = await waitSnap((x) => x.status === "void" && x.reissuedAs === csId && /已作废/.test(x.info?.fields), "the old permit not shown void", 10000, oldId);
  assert.match(c.statusText, /已作废\s*状态代码 4/);
  assert.ok(!c.reissue, "a void permit offers a re-issue");
  // selected, the info panel names it and its state in words
  assert.equal(c.info.title, "受限空间作业");
  assert.match(c.info.fields, new RegExp(`状态已作废.*作业人员.*${names[CS_WORKERS[0]]} \\(${CS_WORKERS[0]}\\)`));
  assert.match(c.info.fields, /类别代码 70 · 状态代码 4/);
});

test("the confined space's entry register through the card; the print view and the export", async () => {
  assert.ok(csId, "no confined space re-issued");
  // to work in progress over REST, the approver (the manager) and the
  // guardian at the work
  pins.set(await tagOf(MANAGER), csPoint);
  pins.set(await tagOf(CS_GUARDIAN), csPoint);
  await pin();
  const path = `/api/v1/permits/${csId}`;
  for (const s of ["apply", "risk-analysis", "briefing"]) await rest("manager", "POST", `${path}/${s}`);
  const { measures } = await get(path);
  for (const m of measures) await rest("manager", "POST", `${path}/measures/${m.n}/confirm`);
  // oxygen 20.9 %vol: within 19.5–21 %vol in a confined space (GB 30871-2022)
  await rest("manager", "POST", `${path}/gas-analyses`, { gas: "oxygen", value: 20.9, unit: "%VOL", sampled_at: new Date().toISOString() });
  // the approval opens once the manager's pinned fix has arrived
  await until(async () => {
    const r = await fetch(new URL(`${path}/approve`, server.url), { method: "POST", headers: { Authorization: "Bearer " + tokens.manager } });
    if (r.ok) return true;
    assert.equal((await r.json()).error.code, "approver_not_on_site", "approval refused");
    return false;
  }, 15000, "the manager never on site");
  await rest("manager", "POST", `${path}/start`);

  // its card (from the old one's link) shows the register's form
  await page.click("#permit-reissued-as");
  let c = await waitSnap((x) => x.status === "in_progress" && x.registerForm && x.inside, "not in progress with the register on the card", 10000, csId);
  assert.equal(c.register.length, 0);
  assert.match(c.inside, /^现在在内：0 人，0 件工具/);
  const form = page.locator("#permit-register-form");
  const register = (who, dir) => form.locator("select[name=person]").selectOption(who)
    .then(() => click(`#permit-register-form [data-register="person"][data-direction="${dir}"]`, csId));

  // a worker goes in: listed, and inside
  let r = await register(CS_WORKERS[0], "in");
  assert.equal(r.status, 201, JSON.stringify(r.json));
  c = await waitSnap((x) => x.register.length === 1 && /现在在内：1 人/.test(x.inside ?? ""), "the entry not shown", 10000, csId);
  assert.deepEqual({ kind: c.register[0].kind, id: c.register[0].id, direction: c.register[0].direction }, { kind: "person", id: CS_WORKERS[0], direction: "in" });
  assert.match(c.register[0].text, new RegExp(`${names[CS_WORKERS[0]]} \\(${CS_WORKERS[0]}\\)进入manager`));
  assert.ok(c.inside.includes(`${names[CS_WORKERS[0]]} (${CS_WORKERS[0]})`), c.inside);
  assert.equal(c.message, `已登记进入：${names[CS_WORKERS[0]]} (${CS_WORKERS[0]})`);

  // the guardian stays outside
  r = await register(CS_GUARDIAN, "in");
  assert.equal(r.json.error.code, "guardian_stays_outside");
  c = await waitSnap((x) => x.code === "guardian_stays_outside", "the guardian's refusal not shown", 5000, csId);
  assert.equal(c.message, "监护人须留在受限空间外");
  assert.ok(c.bad);

  // no closing with someone inside
  r = await step("close", csId);
  assert.equal(r.json.error.code, "people_inside");
  c = await waitSnap((x) => x.code === "people_inside", "the close refusal not shown", 5000, csId);
  assert.equal(c.message, "受限空间内仍有人员");
  assert.match(c.detail, new RegExp(CS_WORKERS[0]));

  // out, then closed
  r = await register(CS_WORKERS[0], "out");
  assert.equal(r.status, 201, JSON.stringify(r.json));
  c = await waitSnap((x) => x.register.length === 2 && /现在在内：0 人/.test(x.inside ?? ""), "the exit not shown", 10000, csId);
  assert.equal(c.register[0].direction, "out");
  r = await step("close", csId);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  await waitSnap((x) => x.status === "accepted", "not closed", 10000, csId);

  // 打印 opens the GB 30871 form of the permit in a new tab, in Chinese
  const [popup] = await Promise.all([page.waitForEvent("popup", { timeout: 10000 }), page.click("#permit-print")]);
  await popup.waitForLoadState("domcontentloaded");
  assert.equal(new URL(popup.url()).pathname + new URL(popup.url()).search, `/api/v1/permits/${csId}/print?lang=zh`);
  const printed = await popup.locator("body").innerText();
  for (const w of ["受限空间安全作业票", csId, "清理 V-101 储罐内部残渣并更换人孔垫片"]) assert.ok(printed.includes(w), `${w} not on the print view`);
  await popup.close();

  // 导出: the day's permits as CSV (fetched with the token, saved as a file)
  await page.click("#permit-back");
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 10000 }), page.click("#permit-export")]);
  assert.match(download.suggestedFilename(), /^permits-\d{8}-\d{8}\.csv$/);
  const csv = readFileSync(await download.path(), "utf8");
  for (const id of [permitId, oldId, csId]) assert.ok(csv.includes(id), `${id} not exported`);
});

test("no outside requests and no unexpected console errors", async () => {
  assert.deepEqual(view.outside, [], "requests to hosts other than the chemtwin server");
  // the refusals this suite provokes (409) log as failed loads
  const unexpected = view.errors.filter((e) => !/Failed to load resource: the server responded with a status of 409/.test(e));
  assert.deepEqual(unexpected, [], "console errors");
});
