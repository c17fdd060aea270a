// Browser test of the inspections and hidden dangers in the viewer (W7
// item 6) against the built binary with the demo plant. The demo's plans
// run in shifts, so for a deterministic round the manager adds, over REST,
// three inspection points of short dwell, a sequence route through them
// and a daily plan whose window holds now, assigned to the demo inspector.
// The 巡检 panel then shows the running task in the live progress (the
// inspector by name, 0/3, the next point), today's tasks, the route drawn
// (arrows, numbered) with its toggle, and the legend; the points layer
// draws every point — the demo's and the test's — in the colour and shape
// of its status (the test's due), and a selected point its check-in
// radius. The inspector checks in at the first point over REST (their tag
// held at the point over MQTT for more than its dwell, the code as the
// points API gives it) with a reading out of range and a failed item: the
// point turns done on the map, the progress moves to 1/3 and the next
// point, today's figures say 100 %, and the two hidden dangers raised
// show on the hidden_dangers layer and in the panel's list; a major danger
// the manager reports with a near deadline is marked overdue on both once
// it passes. Through the danger's card the inspector rectifies one (a
// note and a photo, the photo then shown), the manager accepts it; the
// manager rectifies the other and is refused acceptance (same_person) in
// words, and a rejection without a note is refused (note_required) in
// words. The English switch translates the panel and the card.
//
// Software WebGL keeps the page's main thread busy: the checks read the
// panel and the map in one round trip (snap).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, openViewer, outDir, sleep, until, login } from "./harness.mjs";

// inspections.js POINT_STYLES and DANGER_STYLES (Okabe–Ito)
const DUE = { colour: "#56b4e9", shape: "ring" }, DONE = { colour: "#009e73", shape: "tick" };
const STYLE = { due: DUE, done: DONE, late: { colour: "#e69f00", shape: "diamond" }, missed: { colour: "#d55e00", shape: "cross" }, none: { colour: "#999999", shape: "dot" } };
const RECTIFYING = "#d55e00", AWAITING = "#cc79a7";
// The inspector's fixes are stamped LEAD_S ahead, every second, so that the
// simulator's own fixes of the tag arrive out of order and are dropped
// while the test holds it; the server measures the dwell up to now, and
// refuses a fix more than 10 s old or ahead (twin/inspect MaxFixAge).
const LEAD_S = 2.5;
const DWELL_S = 4; // the test points' min_dwell_s
const ROUTE = "RT-BT", PLAN = "PL-BT";
const POINTS = ["IP-BT1", "IP-BT2", "IP-BT3"];

let server, view, page;
let tz, today, inspector, task, names = {};
let pinTimer = null, pinAt = null;
let dangers = [];

before(async () => {
  server = await startServer();
  ({ page } = view = await openViewer(server));
  tz = (await get("/api/v1/entities/demo")).properties.timezone;
  today = dayOf(Date.now());
  inspector = await rest("inspector", "GET", "/api/v1/auth/me");
  names.inspector = (await get("/api/v1/entities/" + inspector.person_id)).properties.name;

  // three points 40 m apart east of the plant's middle, a sequence route
  // through them, and a daily plan whose window holds now
  const [w, s, e, n] = (await get("/ogc/collections/areas")).extent.spatial.bbox[0];
  const mPerLon = 111320 * Math.cos(((s + n) / 2) * Math.PI / 180);
  POINTS.forEach((id, k) => {
    names[id] = `浏览器测试点${k + 1}`;
  });
  for (const [k, id] of POINTS.entries()) {
    await rest("manager", "POST", "/api/v1/inspections/points", {
      type: "Feature", geometry: { type: "Point", coordinates: [(w + e) / 2 + (k * 40) / mPerLon, (s + n) / 2] },
      properties: { id, name: names[id], name_en: `Browser test point ${k + 1}`, code: `BT-${k + 1}-${Date.now()}`, radius_m: 15, min_dwell_s: DWELL_S,
        checklist: [{ key: "pressure", zh: "出口压力", en: "Outlet pressure", kind: "number", min: 0.2, max: 0.6, unit: "MPa", required: true },
          { key: "no_leak", zh: "无泄漏", en: "No leak", kind: "bool", required: true }] },
    });
  }
  await rest("manager", "POST", "/api/v1/inspections/routes", { id: ROUTE, name: "浏览器测试路线", name_en: "Browser test round", points: POINTS, sequence: true });
  const clock = (ms) => new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(ms));
  await rest("manager", "POST", "/api/v1/inspections/plans", {
    id: PLAN, name: "浏览器测试计划", route: ROUTE, every: 1, unit: "day", windows: [`${clock(Date.now() - 120e3)}-${clock(Date.now() + 3600e3)}`],
    days: "all", assignee: inspector.person_id, grace_min: 10, from: dayOf(Date.now() - 86400e3), enabled: true,
  });
  // the service generates the task on its next round (every 5 s)
  task = await until(async () => (await get("/api/v1/inspections/progress")).progress?.find((p) => p.route === ROUTE), 15000, "the test plan's task is not running");
});

after(async () => {
  clearInterval(pinTimer);
  if (view) await view.browser.close();
  if (server) await server.stop();
});

// dayOf is the YYYY-MM-DD of epoch ms in the site's zone.
function dayOf(ms) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(ms));
}

// call asks the REST API as user (null: no one) — the test's setup and
// the inspector's check-in; the browser is what is tested. It returns the
// answer's JSON with its status as httpStatus, and fails the test on an
// error unless lenient.
const tokens = new Map();
async function call(user, method, path, body, lenient = false) {
  const headers = { "Content-Type": "application/json" };
  if (user) {
    if (!tokens.has(user)) tokens.set(user, (await call(null, "POST", "/api/v1/auth/login", { username: user, password: "demo" })).token);
    headers.Authorization = `Bearer ${tokens.get(user)}`;
  }
  const resp = await fetch(new URL(path, server.url), { method, headers, body: body && JSON.stringify(body) });
  const out = { ...(await resp.json()), httpStatus: resp.status };
  if (!lenient) assert.ok(resp.ok, `${method} ${path} as ${user}: ${resp.status} ${JSON.stringify(out)}`);
  return out;
}
const get = (path) => call(null, "GET", path);
const rest = (user, method, path, body) => call(user, method, path, body);

// snap reads the panel, the card and the map (inspections.js
// drawnInspections) in one round trip.
const snap = () => page.evaluate(async () => {
  const q = (s) => document.querySelector(s);
  const text = (s) => q(s)?.textContent ?? null;
  const all = (s) => [...document.querySelectorAll(s)];
  const drawn = (await import("/js/inspections.js")).drawnInspections();
  const { state } = await import("/js/state.js");
  const open = Boolean(q("#inspections-panel")) && !q("#inspections-panel").hidden;
  const cardShown = Boolean(q("#insp-danger-card")) && !q("#insp-danger-card").hidden;
  return {
    open, heading: text("#inspections-panel h2"),
    legend: all("#insp-legend .insp-chip").map((c) => [c.dataset.status, c.textContent]),
    layerLegend: text("#lp-inspection-legend"),
    runs: all("#insp-progress .insp-run").map((li) => ({ ...li.dataset, who: li.querySelector(".insp-run-who").textContent,
      route: li.querySelector(".insp-run-route").textContent, count: li.querySelector(".insp-run-count").textContent,
      next: li.querySelector(".insp-run-next").textContent, last: li.querySelector(".insp-run-last").textContent,
      bar: li.querySelector(".insp-bar").getAttribute("aria-valuenow"), lit: li.classList.contains("lit") })),
    progressHead: text("#insp-progress") && q("#insp-progress").previousElementSibling.textContent,
    summary: text("#insp-summary"),
    tasks: all("#insp-tasks tbody tr").map((tr) => ({ ...tr.dataset, text: tr.textContent })),
    routes: all("#insp-routes li[data-route]").map((li) => ({ id: li.dataset.route, text: li.textContent, on: li.querySelector("input").checked })),
    statsPerson: all("#insp-stats-person tbody tr").map((tr) => ({ key: tr.dataset.key, text: tr.textContent,
      completion: tr.querySelector('[data-k="completion"]')?.textContent, timeliness: tr.querySelector('[data-k="timeliness"]')?.textContent })),
    statsRoute: all("#insp-stats-route tbody tr").map((tr) => ({ key: tr.dataset.key, text: tr.textContent,
      completion: tr.querySelector('[data-k="completion"]')?.textContent })),
    statsHead: text("#insp-stats h4"),
    dangerRows: all("#insp-dangers li[data-danger]").map((li) => ({ id: li.dataset.danger, status: li.dataset.status, text: li.textContent })),
    card: cardShown ? {
      title: text("#insp-danger-title"), status: q("#insp-danger-status")?.dataset.status, statusText: text("#insp-danger-status"),
      message: text("#insp-danger-message .insp-message-text"), code: q("#insp-danger-message")?.dataset.code || "",
      bad: Boolean(q("#insp-danger-message.tone-bad")), facts: text("#insp-danger-facts"),
      rectify: !q("#insp-rectify-form").hidden, review: !q("#insp-review-form").hidden,
      readonly: q("#insp-danger-readonly").hidden ? null : text("#insp-danger-readonly"),
      log: all("#insp-danger-log li").map((li) => ({ action: li.dataset.action, text: li.textContent })),
      photos: all("#insp-danger-log img[data-photo], #insp-danger-photos img[data-photo]").map((img) => ({ id: img.dataset.photo, w: img.naturalWidth, done: img.complete })),
      rectifyLabel: text("#insp-rectify-submit"),
    } : null,
    info: q("#info-panel") && !q("#info-panel").hidden ? { title: text("#info-title"), fields: text("#info-panel .info-fields") } : null,
    drawn, features: Object.fromEntries([...(state.layers.get("inspection_points") || [])].map((id) => [id, state.features.get(id)?.properties.status ?? null])),
  };
});

// waitSnap polls snap until ok(snap) holds, and returns that snap.
async function waitSnap(ok, what, ms = 10000) {
  let last = null;
  return until(async () => { last = await snap(); return ok(last) && last; }, ms, () => `${what}: ${JSON.stringify(last, null, 1).slice(0, 4000)}`);
}

// pin holds the inspector's tag at [lon, lat]: a fix every second,
// stamped LEAD_S ahead.
async function pin(lonlat) {
  pinAt = lonlat;
  const send = () => server.publish(`chemtwin/demo/tags/${inspector.tag}/position`, { lon: pinAt[0], lat: pinAt[1], ts: Date.now() + LEAD_S * 1000 }).catch(() => {});
  if (!pinTimer) pinTimer = setInterval(send, 1000);
  await send();
}

// tap clicks what selector finds with a DOM click: Playwright's mouse
// click waits for the element to stand still over animation frames, which
// software WebGL makes take seconds each.
const tap = (selector) => page.locator(selector).dispatchEvent("click");

// signIn switches the page's user (the harness's login dialog).
async function signIn(user) {
  if (await page.locator("#logout-button").count()) {
    await tap("#logout-button");
    await page.locator("#login-button").waitFor({ timeout: 10000 });
  }
  await login(page, user);
}

const drawnPoint = (s, id) => s.drawn.points.find((p) => p.id === id);

test("the points by status, the route, the running task, today's tasks and the legend", async () => {
  await signIn("manager");
  await tap("#tool-inspections");
  let s = await waitSnap((x) => x.open && x.runs.some((r) => r.task === task.task), "the panel does not list the running task");
  assert.equal(s.heading, "巡检");
  // the layers are off in the default (safety) view until shown
  assert.equal(s.drawn.pointsShown, false, "inspection points show in the safety view, which has them off");
  await tap("#insp-show-layer");
  await waitSnap((x) => x.drawn.pointsShown, "the points layer did not show", 5000);

  // every point drawn in its status' colour and shape — the demo's too
  s = await waitSnap((x) => POINTS.every((id) => drawnPoint(x, id)?.status === "due"), "the test points are not drawn due", 10000);
  const ogc = (await get("/ogc/collections/inspection_points/items?limit=1000")).features;
  assert.ok(ogc.length >= 40 + POINTS.length, `only ${ogc.length} inspection points`);
  assert.equal(s.drawn.points.length, ogc.length, "not every point is drawn");
  for (const p of s.drawn.points) {
    const want = STYLE[s.features[p.id] ?? "none"];
    assert.deepEqual({ colour: p.colour, shape: p.shape }, want, `${p.id} (${s.features[p.id]}) drawn ${p.colour} ${p.shape}`);
  }
  for (const id of POINTS) assert.deepEqual({ colour: drawnPoint(s, id).colour, shape: drawnPoint(s, id).shape, task: drawnPoint(s, id).task }, { ...DUE, task: task.task });
  // the demo's own running tasks (its shift plans) hold their points due or checked
  const demoRuns = (await get("/api/v1/inspections/progress")).progress.filter((p) => p.route !== ROUTE);
  if (demoRuns.length > 0) assert.ok(s.drawn.points.some((p) => !POINTS.includes(p.id) && p.status !== "none"), "the demo's running tasks show on no point");
  // the legend counts them, in the panel and under the layer's toggle
  const dueChip = s.legend.find(([k]) => k === "due");
  assert.match(dueChip[1], /^待检\d+$/);
  assert.ok(Number(dueChip[1].replace("待检", "")) >= POINTS.length);
  assert.deepEqual(s.legend.map(([k]) => k), ["due", "done", "late", "missed", "none"]);
  assert.match(s.layerLegend, /待检\d+已检\d+迟检\d+漏检\d+无任务\d+/);

  // the route: arrows through its points in order, numbered (a sequence route)
  const r = s.drawn.routes.find((x) => x.id === ROUTE);
  assert.deepEqual({ shown: r.shown, sequence: r.sequence, points: r.points }, { shown: true, sequence: true, points: 3 });
  const row = s.routes.find((x) => x.id === ROUTE);
  assert.match(row.text, /浏览器测试路线按序3 个点/);
  await tap(`#insp-routes input[data-route-toggle="${ROUTE}"]`);
  await waitSnap((x) => x.drawn.routes.find((y) => y.id === ROUTE)?.shown === false, "the route did not hide", 5000);
  await tap(`#insp-routes input[data-route-toggle="${ROUTE}"]`);
  await waitSnap((x) => x.drawn.routes.find((y) => y.id === ROUTE)?.shown, "the route did not show again", 5000);

  // the running task: the inspector by name, 0/3, the first point next
  const run = s.runs.find((x) => x.task === task.task);
  assert.equal(run.who, names.inspector);
  assert.equal(run.route, "浏览器测试路线");
  assert.equal(run.count, "0/3");
  assert.equal(run.bar, "0");
  assert.equal(run.next, `下一点：${names[POINTS[0]]}`);
  assert.equal(run.last, "尚未打卡");
  // today's tasks list it; the summary counts
  const trow = s.tasks.find((x) => x.task === task.task);
  assert.ok(trow, `today's tasks do not list ${task.task}`);
  assert.match(trow.text, /浏览器测试路线/);
  assert.match(trow.text, new RegExp(`${names.inspector}进行中0/3`));
  assert.match(s.summary, /^\d+ 个任务 · 已检 \d+\/\d+ 点 · 迟检 \d+ · 漏检 \d+$/);
  // today's figures: nothing checked or closed yet → completion "—"
  const st = s.statsPerson.find((x) => x.key === inspector.person_id);
  assert.ok(st, "the inspector is not in today's figures");
  assert.equal(st.completion, "—");

  // a click on the running task flies to the inspector and highlights the route
  await tap(`#insp-progress [data-run="${task.task}"]`);
  s = await waitSnap((x) => x.drawn.routes.find((y) => y.id === ROUTE)?.highlighted && x.runs.find((y) => y.task === task.task)?.lit,
    "the route is not highlighted", 5000);
  assert.equal(await page.evaluate(async () => (await import("/js/state.js")).state.selected), inspector.person_id, "the inspector is not selected");
  // a selected point (as a click on the map selects it) shows its check-in
  // radius in its status colour, and the info panel the point in words
  await page.evaluate(async (id) => (await import("/js/state.js")).emit("select", { id }), POINTS[0]);
  s = await waitSnap((x) => x.drawn.selected?.id === POINTS[0] && x.info?.title === names[POINTS[0]], "no radius disc", 5000);
  assert.deepEqual(s.drawn.selected, { id: POINTS[0], radius_m: 15, status: "due", colour: DUE.colour, shown: true });
  assert.match(s.info.fields, new RegExp(`状态待检当前任务${task.task}打卡半径15 m最短停留${DWELL_S} s检查对象场所轨迹自动打卡否检查项（2）出口压力 \\(0.2–0.6 MPa\\)无泄漏`));
  assert.ok(!s.info.fields.includes("BT-1-"), "the info panel shows the point's code");
  await page.screenshot({ path: join(outDir, "inspections-map.png") });
});

test("a check-in turns the point done and moves the progress; its findings become hidden dangers on the map and in the list", async () => {
  assert.ok(task, "no running task");
  const p1 = (await get("/api/v1/inspections/points")).points.find((p) => p.id === POINTS[0]);
  await pin(p1.location);
  const body = { task_id: task.task, point_id: p1.id, code: p1.code,
    results: [{ key: "pressure", value: 0.95 }, { key: "no_leak", bool: false }], note: "browser test" };
  // the dwell the fixes prove grows by a second a fix: retry while too short
  await sleep((DWELL_S + LEAD_S) * 1000);
  let attempts = 0;
  const c = await until(async () => {
    attempts++;
    const r = await call("inspector", "POST", "/api/v1/inspections/checkins", body, true);
    if (r.httpStatus !== 201) assert.equal(r.error?.code, "too_short", `check-in refused: ${JSON.stringify(r)}`);
    return r.httpStatus === 201 && r;
  }, 25000, "the check-in was never accepted");
  assert.equal(c.status, 1, "a failed reading and item make the record 1 (hazard found)");
  assert.equal(c.dangers.length, 2);
  clearInterval(pinTimer);
  pinTimer = null;

  const s = await waitSnap((x) => drawnPoint(x, POINTS[0])?.status === "done" && x.runs.find((r) => r.task === task.task)?.count === "1/3"
    && c.dangers.every((id) => x.drawn.dangers.some((d) => d.id === id)) && c.dangers.every((id) => x.dangerRows.some((d) => d.id === id)),
    "the check-in is not shown", 15000);
  assert.deepEqual({ colour: drawnPoint(s, POINTS[0]).colour, shape: drawnPoint(s, POINTS[0]).shape }, DONE);
  assert.equal(drawnPoint(s, POINTS[1]).status, "due");
  const run = s.runs.find((r) => r.task === task.task);
  assert.equal(run.next, `下一点：${names[POINTS[1]]}`);
  assert.match(run.last, new RegExp(`^最近打卡：\\d{2}:\\d{2} ${names.inspector}$`));
  assert.equal(run.bar, "1");
  // the hidden dangers: general, being rectified, not overdue (7 days, 24 h)
  dangers = c.dangers;
  for (const id of dangers) {
    const d = s.drawn.dangers.find((x) => x.id === id);
    assert.deepEqual({ status: d.status, level: d.level, overdue: d.overdue, colour: d.colour }, { status: "rectifying", level: "general", overdue: false, colour: RECTIFYING });
    const row = s.dangerRows.find((x) => x.id === id);
    assert.match(row.text, /浏览器测试点1：.*一般隐患 · 整改中 · 期限/);
  }
  assert.ok(s.dangerRows.some((d) => /出口压力读数 0.95 MPa，超出上限 0.6 MPa/.test(d.text)), "the reading's danger is not described");
  // today's figures: one point checked in time
  const fig = await waitSnap((x) => x.statsPerson.find((r) => r.key === inspector.person_id)?.completion === "100%", "the figures did not move", 40000);
  assert.equal(fig.statsPerson.find((r) => r.key === inspector.person_id).timeliness, "100%");
  assert.equal(fig.statsRoute.find((r) => r.key === ROUTE)?.completion, "100%");
  console.log(`check-in accepted after ${attempts} tries`);

  // a major danger reported at a point with a near deadline: drawn major,
  // then marked overdue on the map and in the list once the deadline passes
  const major = await rest("manager", "POST", "/api/v1/hidden-dangers", { description: "法兰渗漏", point: POINTS[2], level: "major", fix: "deadline",
    deadline: new Date(Date.now() + 4000).toISOString() });
  const late = await waitSnap((x) => x.drawn.dangers.find((d) => d.id === major.id)?.overdue && /逾期/.test(x.dangerRows.find((d) => d.id === major.id)?.text),
    "the major danger is not shown overdue", 20000);
  assert.deepEqual(late.drawn.dangers.find((d) => d.id === major.id), { id: major.id, status: "rectifying", level: "major", overdue: true, colour: RECTIFYING });
  assert.match(late.dangerRows.find((d) => d.id === major.id).text, /^法兰渗漏重大隐患 · 整改中 · 期限 .*逾期$/);
});

test("hidden dangers are rectified and accepted through their card; refusals are shown in words", async () => {
  assert.equal(dangers.length, 2, "no hidden dangers");
  const [first, second] = dangers;
  // the inspector rectifies the first with a note and a photo
  await signIn("inspector");
  await tap(`#insp-dangers [data-open="${first}"]`);
  let s = await waitSnap((x) => x.card && x.card.status === "rectifying" && x.card.rectify, "the card with the rectify form did not open");
  assert.equal(s.card.review, false, "an inspector is offered acceptance");
  assert.match(s.card.facts, /等级一般隐患整改方式(限期整改|即查即改)整改期限.*巡检点浏览器测试点1 \(IP-BT1\)发现inspector/);
  const photo = await page.screenshot({ clip: { x: 0, y: 0, width: 64, height: 48 } });
  await page.fill("#insp-rectify-form textarea[name=note]", "已紧固法兰并复测");
  await page.setInputFiles("#insp-rectify-form input[name=photo]", { name: "fix.png", mimeType: "image/png", buffer: photo });
  const [up, done] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/v1/inspections/photos"), { timeout: 10000 }),
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes(`/hidden-dangers/${first}/rectify`), { timeout: 10000 }),
    tap("#insp-rectify-submit"),
  ]);
  assert.equal(up.status(), 201);
  assert.equal(done.status(), 200, await done.text());
  s = await waitSnap((x) => x.card.status === "awaiting_acceptance" && x.card.photos.length === 1 && x.card.photos[0].w > 0
    && x.drawn.dangers.find((d) => d.id === first)?.status === "awaiting_acceptance", "the rectification is not shown");
  assert.equal(s.card.message, "已提交整改，等待验收");
  assert.equal(s.card.photos[0].w, 64, "the photo is not the one uploaded");
  assert.match(s.card.log[0].text, /^整改 · inspector .*已紧固法兰并复测/);
  assert.equal(s.card.readonly, "待验收：由管理人员（非整改人）验收");
  assert.equal(s.drawn.dangers.find((d) => d.id === first).colour, AWAITING);

  // the manager accepts it
  await signIn("manager");
  s = await waitSnap((x) => x.card && x.card.review, "the manager is not offered acceptance");
  await tap("#insp-accept");
  s = await waitSnap((x) => x.card.status === "accepted" && x.drawn.dangers.find((d) => d.id === first)?.status === "accepted", "not accepted");
  assert.equal(s.card.message, "验收通过，隐患已关闭");
  assert.deepEqual(s.card.log.map((e) => e.action), ["accepted", "rectified", "found"]);

  // the manager rectifies the second and may not accept it: same_person
  await tap("#insp-back");
  await waitSnap((x) => x.dangerRows.some((d) => d.id === second) && !x.dangerRows.some((d) => d.id === first), "the list still holds the accepted danger");
  await tap(`#insp-dangers [data-open="${second}"]`);
  await waitSnap((x) => x.card && x.card.rectify, "the second card did not open");
  await page.fill("#insp-rectify-form textarea[name=note]", "已更换垫片");
  await tap("#insp-rectify-submit");
  s = await waitSnap((x) => x.card.status === "awaiting_acceptance" && x.card.review, "the manager's rectification is not shown");
  await tap("#insp-accept");
  s = await waitSnap((x) => x.card.code === "same_person", "the same-person refusal is not shown");
  assert.equal(s.card.message, "整改与验收须由不同人员：您整改了此隐患，不能验收，请由其他管理人员验收");
  assert.ok(s.card.bad);
  assert.equal(s.card.status, "awaiting_acceptance");
  // a rejection needs a note
  await tap("#insp-reject");
  s = await waitSnap((x) => x.card.code === "note_required", "the note_required refusal is not shown");
  assert.equal(s.card.message, "请填写说明：整改需填写说明或上传照片，驳回需写明原因");
  await page.screenshot({ path: join(outDir, "inspections-card.png") });
});

test("the English switch translates the panel and the card", async () => {
  await tap("#lang-toggle");
  let s = await waitSnap((x) => x.card && x.card.statusText === "Awaiting acceptance", "the card is not in English");
  assert.equal(s.card.message, "A note is required: a rectification needs a note or a photo, a rejection says why");
  assert.match(s.card.facts, /LevelGeneral.*Inspection pointBrowser test point 1 \(IP-BT1\)/);
  assert.match(s.card.title, /^Browser test point 1: No leak failed$/);
  await tap("#insp-back");
  s = await waitSnap((x) => x.heading === "Inspections" && x.runs.length > 0, "the panel is not in English");
  assert.deepEqual(s.legend.map(([, text]) => text.replace(/\d+$/, "")), ["Due", "Done", "Late", "Missed", "No task"]);
  const run = s.runs.find((r) => r.task === task.task);
  assert.equal(run.route, "Browser test round");
  assert.equal(run.next, "Next: Browser test point 2");
  assert.match(s.summary, /^\d+ tasks · \d+\/\d+ points checked · \d+ late · \d+ missed$/);
  assert.match(s.dangerRows.find((d) => d.id === dangers[1])?.text ?? "", /^Browser test point 1: No leak failedGeneral · Awaiting acceptance · due /);
  assert.match(s.statsHead, /By person/);
  assert.deepEqual(view.errors.filter((e) => !/status of 4\d\d/.test(e)), [], "console errors");
  assert.deepEqual(view.outside, [], "requests left the server");
  await page.screenshot({ path: join(outDir, "inspections-en.png") });
});
