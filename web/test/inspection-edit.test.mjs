// Browser test of editing inspection points, routes and plans on the map
// (W7 item 1, web/cesium/js/inspection-edit.js) against the built binary
// with the demo plant, all through the page as a person would: as the
// manager, a point is placed by one click on the ground and filled in
// (a reading with its range), and the API then holds it where the click
// was (within 2 m of the ground under the clicked pixel, read from the
// camera) with the form's properties; it is renamed, its radius changed,
// and moved by another click; a sequence route is made by clicking the new
// point on the map and adding two demo points from the list, reordered; a
// daily plan on the route (a shift window, workdays, a person, grace) is
// saved; deleting the route the plan walks is refused (in_use) in words;
// the plan, the route and the point are deleted. The inspector sees none
// of the editing.
//
// Map clicks are real mouse clicks on the canvas (Cesium's own event
// handling); buttons are DOM clicks (tap: Playwright's actionability
// waits cost seconds each under software WebGL).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, openViewer, outDir, until } from "./harness.mjs";

const NAME = "编辑测试点", NAME2 = "编辑测试点（改）", CODE = `ET-${Date.now()}`;
const ROUTE_NAME = "编辑测试路线", PLAN_NAME = "编辑测试计划";
const DEMO = ["IP-020", "IP-005"]; // two demo points for the route
const NEAR_M = 2; // how close the saved point must be to the clicked ground

let server, view, page;
let pointId = null, routeId = null, planId = null;
let placedAt = null, movedAt = null, checklist = null;

before(async () => {
  server = await startServer();
  ({ page } = view = await openViewer(server));
});

after(async () => {
  if (view) await view.browser.close();
  if (server) await server.stop();
});

// call asks the REST API as user (null: no one) — only to check what the
// page did; it returns {status, body}.
const tokens = new Map();
async function call(user, method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (user) {
    if (!tokens.has(user)) tokens.set(user, (await call(null, "POST", "/api/v1/auth/login", { username: user, password: "demo" })).body.token);
    headers.Authorization = `Bearer ${tokens.get(user)}`;
  }
  const resp = await fetch(new URL(path, server.url), { method, headers, body: body && JSON.stringify(body) });
  const text = await resp.text();
  return { status: resp.status, body: text ? JSON.parse(text) : null };
}
async function get(path) {
  const r = await call(null, "GET", path);
  assert.equal(r.status, 200, `GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// metres between two [lon, lat] (equirectangular: exact enough at 2 m).
function metres(a, b) {
  const k = Math.PI / 180;
  const x = (a[0] - b[0]) * k * Math.cos(((a[1] + b[1]) / 2) * k) * 6371008.8;
  const y = (a[1] - b[1]) * k * 6371008.8;
  return Math.hypot(x, y);
}

const tap = (selector) => page.locator(selector).dispatchEvent("click");

// type enters values ({selector: value}) into inputs and selects as the
// browser's own input does (the value set, then input and change events),
// all in one round trip: each Playwright fill waits for a frame, which
// software WebGL makes cost most of a second.
const type = (fields) => page.evaluate((fields) => {
  for (const [selector, value] of Object.entries(fields)) {
    const el = document.querySelector(selector);
    if (!el) throw new Error(`no ${selector}`);
    if (el.tagName === "SELECT" && ![...el.options].some((o) => o.value === value)) throw new Error(`${selector} offers no ${value}`);
    el.focus();
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
}, fields);

// signIn switches the page's user through the login dialog (as the
// harness's login does, in fewer round trips).
async function signIn(user) {
  if (await page.locator("#logout-button").count()) {
    await tap("#logout-button");
    await page.locator("#login-button").waitFor({ timeout: 10000 });
  }
  await tap("#login-button");
  await type({ '#login-dialog input[name="username"]': user, '#login-dialog input[name="password"]': "demo" });
  await tap('#login-dialog button[type="submit"]');
  await page.locator("#logout-button").waitFor({ timeout: 10000 });
}

// snap reads the editing section and the map in one round trip.
const snap = () => page.evaluate(async () => {
  const q = (s) => document.querySelector(s);
  const text = (s) => q(s)?.textContent ?? null;
  const all = (s) => [...document.querySelectorAll(s)];
  const drawn = (await import("/js/inspections.js")).drawnInspections();
  return {
    shown: Boolean(q("#insp-edit")) && !q("#insp-edit").hidden, buttons: all("#insp-edit button").length,
    selected: text("#insp-edit-selected"), loc: text("#insp-point-loc"),
    message: text("#insp-edit-message .insp-message-text"), code: q("#insp-edit-message")?.dataset.code || "",
    bad: Boolean(q("#insp-edit-message.tone-bad")), confirm: q("#insp-edit-confirm")?.hidden === false ? text("#insp-edit-confirm") : null,
    formError: all("#insp-edit-form-host .form-error").filter((e) => !e.hidden).map((e) => e.textContent)[0] || null,
    picked: all("#insp-route-points li[data-point]").map((li) => li.dataset.point), hint: text("#insp-route-hint"),
    routes: all("#insp-edit-routes li[data-route]").map((li) => ({ id: li.dataset.route, text: li.textContent })),
    plans: all("#insp-edit-plans li[data-plan]").map((li) => ({ id: li.dataset.plan, text: li.textContent })),
    points: drawn.points.map((p) => p.id), drawnRoutes: drawn.routes,
    cardActions: all(".info-actions button").map((b) => b.textContent),
  };
});

async function waitSnap(ok, what, ms = 10000) {
  let last = null;
  return until(async () => { last = await snap(); return ok(last) && last; }, ms, () => `${what}: ${JSON.stringify(last, null, 1).slice(0, 3000)}`);
}

// emptyGround finds a pixel of the map (right of the open panel, on the
// canvas itself) as far as can be from every drawn marker: {x, y} page
// CSS pixels, clearPx.
const emptyGround = () => page.evaluate(async () => {
  const { currentViewer } = await import("/js/viewer.js");
  const { state } = await import("/js/state.js");
  const { pointOf } = await import("/js/frame.js");
  const v = currentViewer();
  const canvas = v.scene.canvas, box = canvas.getBoundingClientRect();
  const panel = document.querySelector("#inspections-panel").getBoundingClientRect();
  const marks = [];
  for (const layer of ["inspection_points", "gas_detectors", "cameras", "vehicles", "people", "hidden_dangers", "weather_stations"]) {
    if (state.visible.get(layer) === false) continue;
    for (const id of state.layers.get(layer) || []) {
      const pt = pointOf(state.features.get(id));
      const s = pt && window.chemtwin.screen(pt[0], pt[1], 1.5);
      if (s) marks.push(s);
    }
  }
  let best = null;
  for (let x = Math.max(panel.right, box.left) + 40; x < box.right - 60; x += 16) {
    for (let y = box.top + 80; y < box.bottom - 60; y += 16) {
      if (document.elementFromPoint(x, y) !== canvas) continue;
      const d = Math.min(1e9, ...marks.map((m) => Math.hypot(m.x + box.left - x, m.y + box.top - y)));
      if (!best || d > best.d) best = { x, y, d };
    }
  }
  return best && { x: best.x, y: best.y, clearPx: best.d };
});

// groundAt is the [lon, lat] of the ground (ellipsoid height 0, where the
// plant is drawn) under page pixel {x, y}.
const groundAt = (px) => page.evaluate(async ({ x, y }) => {
  const v = (await import("/js/viewer.js")).currentViewer();
  const box = v.scene.canvas.getBoundingClientRect();
  const c = v.camera.pickEllipsoid(new Cesium.Cartesian2(x - box.left, y - box.top), v.scene.globe.ellipsoid);
  const g = Cesium.Cartographic.fromCartesian(c);
  return [Cesium.Math.toDegrees(g.longitude), Cesium.Math.toDegrees(g.latitude)];
}, px);

// onScreen is the page pixel of a point drawn at [lon, lat] (its billboard).
const onScreen = (lonlat) => page.evaluate(async ([lon, lat]) => {
  const { currentViewer } = await import("/js/viewer.js");
  const box = currentViewer().scene.canvas.getBoundingClientRect();
  const s = window.chemtwin.screen(lon, lat, 1.5);
  return s && { x: s.x + box.left, y: s.y + box.top };
}, lonlat);

// clickGround clicks an empty spot of the map and returns where it was.
async function clickGround() {
  const spot = await emptyGround();
  assert.ok(spot, "no empty ground on screen");
  assert.ok(spot.clearPx > 20, `the emptiest spot is ${spot.clearPx} px from a marker`);
  const lonlat = await groundAt(spot);
  await page.mouse.click(spot.x, spot.y);
  assert.ok(metres(await groundAt(spot), lonlat) < 0.1, "the camera moved while clicking");
  return { ...spot, lonlat };
}

// submit submits the open form and returns the answer to method on path.
async function submit(form, method, path) {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.startsWith(path), { timeout: 10000 }),
    tap(`${form} button[type=submit]`),
  ]);
  return { status: resp.status(), body: await resp.json().catch(() => null) };
}

test("the manager places a point with one click on the map and fills in its form", async () => {
  await signIn("manager");
  await tap("#tool-inspections");
  await waitSnap((s) => s.shown && s.buttons >= 3, "the editing section does not show for the manager");
  await tap("#insp-new-point");
  await waitSnap((s) => s.loc === "请在地图上点击巡检点的位置…", "not placing");
  const spot = await clickGround();
  placedAt = spot.lonlat;
  const s = await waitSnap((x) => /^位置：/.test(x.loc || ""), "the click did not place the point");
  const [lon, lat] = s.loc.replace("位置：", "").split(",").map(Number);
  assert.ok(metres([lon, lat], placedAt) < 0.5, `the form says ${s.loc}, the click was at ${placedAt}`);

  const f = "#insp-point-form";
  await tap("#insp-item-add");
  await tap("#insp-item-add");
  const item = (k) => `${f} .insp-item:nth-child(${k})`;
  await page.selectOption(`${item(1)} select[name=kind]`, "number"); // the range and unit show for a reading only
  assert.deepEqual(await page.evaluate((s) => [...document.querySelectorAll(s)].map((el) => el.hidden), `${f} .insp-item [data-limit]`),
    [false, false, false, true, true, true], "the range shows for the wrong items");
  await type({ [`${f} input[name=name]`]: NAME, [`${f} input[name=name_en]`]: "Edit test point", [`${f} input[name=code]`]: CODE,
    [`${f} input[name=radius_m]`]: "12", [`${f} input[name=min_dwell_s]`]: "10", [`${f} input[name=equipment]`]: "P-101",
    [`${item(1)} input[name=zh]`]: "出口压力", [`${item(1)} input[name=en]`]: "Outlet pressure", [`${item(1)} input[name=key]`]: "pressure",
    [`${item(1)} input[name=min]`]: "0.9", [`${item(1)} input[name=max]`]: "0.6", [`${item(1)} input[name=unit]`]: "MPa",
    [`${item(2)} input[name=zh]`]: "无泄漏" });
  // a range upside down is refused in words before anything is sent
  await tap(`${f} button[type=submit]`);
  let e = await waitSnap((x) => x.formError, "an upside-down range was not refused");
  assert.equal(e.formError, "第 1 个检查项：限值须为数字，且下限不大于上限");
  await page.fill(`${item(1)} input[name=min]`, "0.2");

  const r = await submit(f, "POST", "/api/v1/inspections/points");
  assert.equal(r.status, 201, JSON.stringify(r.body));
  pointId = r.body.properties.id;
  e = await waitSnap((x) => x.message && x.points.includes(pointId) && x.selected?.includes(pointId), "the saved point is not shown");
  assert.equal(e.message, `已保存巡检点“${NAME}”（${pointId}）`);
  assert.equal(e.bad, false);

  const p = (await get("/api/v1/inspections/points")).points.find((x) => x.id === pointId);
  assert.ok(p, `${pointId} is not among the points`);
  assert.ok(metres(p.location, placedAt) < NEAR_M, `saved at ${p.location}, clicked at ${placedAt}: ${metres(p.location, placedAt).toFixed(2)} m`);
  assert.deepEqual({ name: p.name, name_en: p.name_en, code: p.code, radius_m: p.radius_m, min_dwell_s: p.min_dwell_s, equipment: p.equipment, auto: p.auto_checkin },
    { name: NAME, name_en: "Edit test point", code: CODE, radius_m: 12, min_dwell_s: 10, equipment: "P-101", auto: undefined });
  assert.deepEqual(p.checklist, [
    { key: "pressure", zh: "出口压力", en: "Outlet pressure", kind: "number", min: 0.2, max: 0.6, unit: "MPa", required: true },
    { key: "item1", zh: "无泄漏", kind: "bool", required: true },
  ]);
  checklist = p.checklist;
});

test("the point is renamed, its radius changed, and moved by a click", async () => {
  assert.ok(pointId, "no point");
  await tap("#insp-point-edit");
  let s = await waitSnap((x) => x.loc && /^位置：/.test(x.loc), "the point's form did not open");
  assert.equal(await page.inputValue("#insp-point-form input[name=name]"), NAME);
  await type({ "#insp-point-form input[name=name]": NAME2, "#insp-point-form input[name=radius_m]": "25" });
  let r = await submit("#insp-point-form", "PUT", `/api/v1/inspections/points/${pointId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  let p = (await get("/api/v1/inspections/points")).points.find((x) => x.id === pointId);
  assert.deepEqual({ name: p.name, radius_m: p.radius_m, code: p.code, checklist: p.checklist }, { name: NAME2, radius_m: 25, code: CODE, checklist });
  assert.ok(metres(p.location, placedAt) < NEAR_M, "an edit moved the point");

  s = await waitSnap((x) => x.selected?.includes(NAME2), "the renamed point is not the selected one");
  await tap("#insp-point-move");
  await waitSnap((x) => x.loc === "请在地图上点击巡检点的位置…", "not placing the moved point");
  const spot = await clickGround();
  movedAt = spot.lonlat;
  assert.ok(metres(movedAt, placedAt) > 5, "the new place is the old one");
  await waitSnap((x) => /^位置：/.test(x.loc || ""), "the click did not move the point");
  r = await submit("#insp-point-form", "PUT", `/api/v1/inspections/points/${pointId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  p = (await get("/api/v1/inspections/points")).points.find((x) => x.id === pointId);
  assert.ok(metres(p.location, movedAt) < NEAR_M, `moved to ${p.location}, clicked at ${movedAt}`);
  assert.equal(p.name, NAME2);
});

test("a sequence route: the new point clicked on the map, two demo points from the list, reordered", async () => {
  assert.ok(movedAt, "the point was not moved");
  await tap("#insp-new-route");
  let s = await waitSnap((x) => x.hint, "the route's form did not open");
  assert.equal(s.hint, "在地图上依次点击巡检点，按点击顺序加入路线");
  await page.fill("#insp-route-form input[name=name]", ROUTE_NAME);
  // the drawn point (wait for it at its new place), clicked on the map
  await until(async () => {
    const at = await page.evaluate(async (id) => (await import("/js/frame.js")).pointOf((await import("/js/state.js")).state.features.get(id)), pointId);
    return at && metres(at, movedAt) < NEAR_M;
  }, 10000, "the moved point is not back over /ws");
  const px = await onScreen(movedAt);
  await page.mouse.click(px.x, px.y);
  s = await waitSnap((x) => x.picked.includes(pointId), "a click on the point did not add it to the route");
  for (const id of DEMO) {
    await page.selectOption("#insp-route-add", id);
    await tap("#insp-route-add-button");
  }
  s = await waitSnap((x) => x.picked.length === 3, "the listed points were not added");
  assert.deepEqual(s.picked, [pointId, ...DEMO]);
  await tap(`#insp-route-points li[data-point="${DEMO[0]}"] [data-edit=up]`);
  s = await waitSnap((x) => x.picked[0] === DEMO[0], "the point did not move up");
  const order = [DEMO[0], pointId, DEMO[1]];
  assert.deepEqual(s.picked, order);
  await page.locator("#insp-route-form input[name=sequence]").dispatchEvent("click");
  const r = await submit("#insp-route-form", "POST", "/api/v1/inspections/routes");
  assert.equal(r.status, 201, JSON.stringify(r.body));
  routeId = r.body.id;
  const route = await get(`/api/v1/inspections/routes/${routeId}`);
  assert.deepEqual({ name: route.name, points: route.points, sequence: route.sequence }, { name: ROUTE_NAME, points: order, sequence: true });
  s = await waitSnap((x) => x.routes.some((y) => y.id === routeId) && x.drawnRoutes.some((y) => y.id === routeId), "the route is not listed and drawn");
  assert.match(s.message, new RegExp(`^已保存路线“${ROUTE_NAME}”（${routeId}）$`));
  assert.deepEqual((({ sequence, points }) => ({ sequence, points }))(s.drawnRoutes.find((y) => y.id === routeId)), { sequence: true, points: 3 });
});

test("a daily plan on the route, for a person, in a shift window on workdays", async () => {
  assert.ok(routeId, "no route");
  const inspector = (await call("inspector", "GET", "/api/v1/auth/me")).body;
  await tap("#insp-new-plan");
  const f = "#insp-plan-form";
  await page.locator(f).waitFor({ timeout: 5000 });
  await tap("#insp-window-add");
  await type({ [`${f} input[name=name]`]: PLAN_NAME, [`${f} select[name=route]`]: routeId, [`${f} input[name=every]`]: "1",
    [`${f} select[name=unit]`]: "day", [`${f} select[name=days]`]: "workdays", [`${f} .insp-window input[name=w_from]`]: "08:00",
    [`${f} .insp-window input[name=w_to]`]: "20:00", [`${f} input[name=assignee]`]: inspector.person_id, [`${f} input[name=grace_min]`]: "15" });
  const from = await page.inputValue(`${f} input[name=from]`);
  assert.match(from, /^\d{4}-\d{2}-\d{2}$/, "no start date by default");
  const r = await submit(f, "POST", "/api/v1/inspections/plans");
  assert.equal(r.status, 201, JSON.stringify(r.body));
  planId = r.body.id;
  const plan = await get(`/api/v1/inspections/plans/${planId}`);
  assert.deepEqual(plan, { id: planId, name: PLAN_NAME, route: routeId, every: 1, unit: "day", windows: ["08:00-20:00"], days: "workdays",
    assignee: inspector.person_id, grace_min: 15, from, enabled: true });
  const s = await waitSnap((x) => x.plans.some((y) => y.id === planId), "the plan is not listed");
  assert.match(s.plans.find((y) => y.id === planId).text, new RegExp(`${PLAN_NAME} ${ROUTE_NAME} · 每 1 天 · .*\\(${inspector.person_id}\\) · 启用`));
});

test("deleting the route a plan walks is refused in words; the plan, the route and the point are deleted", async () => {
  assert.ok(planId, "no plan");
  await tap(`#insp-edit-routes [data-edit=delete-route][data-id="${routeId}"]`);
  let s = await waitSnap((x) => x.confirm, "no confirmation asked");
  assert.match(s.confirm, new RegExp(`删除路线“${ROUTE_NAME}”？`));
  await tap("#insp-edit-confirm-yes");
  s = await waitSnap((x) => x.code === "in_use", "the in_use refusal is not shown");
  assert.equal(s.message, `路线“${ROUTE_NAME}”正被巡检计划使用，不能删除：请先删除或修改这些计划（${PLAN_NAME} (${planId})）`);
  assert.ok(s.bad, "the refusal is not marked bad");
  assert.equal((await call(null, "GET", `/api/v1/inspections/routes/${routeId}`)).status, 200, "the route went");

  // the point is on the route: the server refuses its deletion (in_use), in words
  let px = await onScreen(movedAt);
  await page.mouse.click(px.x, px.y);
  s = await waitSnap((x) => x.selected?.includes(pointId), "a click on the point did not select it");
  // the point's info card offers the same edits to the manager
  s = await waitSnap((x) => ["编辑", "移动", "删除"].every((l) => x.cardActions.includes(l)), "the point's card has no edit buttons");
  await tap("#insp-point-delete");
  s = await waitSnap((x) => x.confirm, "no confirmation asked for the point on a route");
  assert.match(s.confirm, new RegExp(ROUTE_NAME), "the confirmation does not name the route holding the point");
  await tap("#insp-edit-confirm-yes");
  s = await waitSnap((x) => x.code === "in_use" && x.message.startsWith("巡检点"), "the point's in_use refusal is not shown");
  assert.equal(s.message, `巡检点“${NAME2}”在路线中，不能删除：请先从这些路线中移除（${ROUTE_NAME} (${routeId})）`);
  assert.equal((await call(null, "GET", `/api/v1/entities/${pointId}`)).status, 200, "the point went");

  await tap(`#insp-edit-plans [data-edit=delete-plan][data-id="${planId}"]`);
  await waitSnap((x) => x.confirm, "no confirmation asked for the plan");
  await tap("#insp-edit-confirm-yes");
  s = await waitSnap((x) => x.message === `已删除计划 ${planId}` && !x.plans.some((y) => y.id === planId), "the plan was not deleted");
  assert.equal((await call(null, "GET", `/api/v1/inspections/plans/${planId}`)).status, 404);

  await tap(`#insp-edit-routes [data-edit=delete-route][data-id="${routeId}"]`);
  await waitSnap((x) => x.confirm, "no confirmation asked for the route");
  await tap("#insp-edit-confirm-yes");
  await waitSnap((x) => x.message === `已删除路线 ${routeId}` && !x.drawnRoutes.some((y) => y.id === routeId), "the route was not deleted");
  assert.equal((await call(null, "GET", `/api/v1/inspections/routes/${routeId}`)).status, 404);

  // the point: selected by a click on the map, deleted from the panel
  px = await onScreen(movedAt);
  await page.mouse.click(px.x, px.y);
  await waitSnap((x) => x.selected?.includes(pointId), "a click on the point did not select it");
  await tap("#insp-point-delete");
  s = await waitSnap((x) => x.confirm, "no confirmation asked for the point");
  assert.equal(s.confirm.replace(/确认删除取消$/, ""), `删除巡检点“${NAME2}”？`);
  await tap("#insp-edit-confirm-yes");
  await waitSnap((x) => x.message === `已删除巡检点 ${pointId}` && !x.points.includes(pointId), "the point was not deleted");
  assert.equal((await call(null, "GET", `/api/v1/entities/${pointId}`)).status, 404);
  await page.screenshot({ path: join(outDir, "inspection-edit.png") });
});

test("the inspector sees no editing", async () => {
  await signIn("inspector");
  const s = await waitSnap((x) => !x.shown, "the editing section shows for the inspector");
  assert.equal(s.buttons, 0, "edit buttons are in the page");
  assert.equal(await page.locator("#insp-new-point, #insp-point-edit, #insp-point-delete").count(), 0);
  assert.deepEqual(view.errors.filter((e) => !/status of 4\d\d/.test(e)), [], "console errors");
  assert.deepEqual(view.outside, [], "requests left the server");
});
