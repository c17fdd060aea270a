// Browser test of the emergency mode (应急, 指挥决策一张图, W8) against the
// built binary with the demo plant. Through the UI, as the demo emergency
// user: a plan with nothing to plan around is refused in words with the
// server's code; a hazard polygon drawn by mouse clicks over the plant makes
// a plan (POST), whose routes are drawn — as many as the plan routes over
// REST — and flow (the chevrons' offset and the scene's frame move between
// two looks), with the muster points' load as REST gives it and people
// coloured by their evacuation status; a closed area around two muster
// points and a barrier line drawn on the map update the plan (PUT): those
// muster points are marked unsafe with the reason, and the people left
// without room have their way past capacity drawn dashed; the evacuation
// order is issued with its message (0 acknowledged of the tags told), one
// routed person's tag acknowledges over MQTT and is counted — the person
// leaves the pending list, the counter moves with REST's (the simulated
// wearers acknowledge too, 5–40 s after their notice); the roll call shows what
// GET /api/v1/muster answered, and its CSV link answers a CSV; the
// situation report opens with the plan, the order, the roll call and a
// snapshot of the map, and prints; the all clear ends the order; the
// English switch translates the panel; an inspector sees the plan and the
// roll call but no planning or ordering controls.
//
// Software WebGL keeps the page's main thread busy (and the routes animate):
// every check reads the panel and the map in one round trip (snap), and
// buttons are clicked by event, not by pointer.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, openViewer, sleep, until } from "./harness.mjs";

let server, view, page;
let planId = null, orderId = null, ackedPerson = null, sent = 0;
const rolls = new Map(); // roll call time → GET /api/v1/muster as the page fetched it

before(async () => {
  server = await startServer();
  ({ page } = view = await openViewer(server));
  page.on("dialog", (d) => d.accept()); // the order's and the all clear's confirmations
  page.on("response", async (r) => {
    if (new URL(r.url()).pathname !== "/api/v1/muster" || !r.ok()) return;
    const body = await r.json().catch(() => null);
    if (body && body.at) rolls.set(body.at, body);
  });
});

after(async () => {
  if (view) await view.browser.close();
  if (server) await server.stop();
});

// get reads the REST API from the test (not through the busy page).
async function get(path) {
  const r = await fetch(new URL(path, server.url));
  assert.ok(r.ok, `GET ${path}: ${r.status}`);
  return r.json();
}

const tap = (selector) => page.locator(selector).dispatchEvent("click");

// snap reads the panel, the report and the map (emergency-map.js
// drawnEmergency) in one round trip.
const snap = () => page.evaluate(async () => {
  const q = (s) => document.querySelector(s);
  const text = (s) => q(s)?.textContent ?? null;
  const all = (s) => [...document.querySelectorAll(s)];
  const shown = (s) => Boolean(q(s)) && !q(s).hidden && q(s).getClientRects().length > 0;
  const tiles = (s) => Object.fromEntries(all(`${s} .stat-tile`).map((el) => [el.dataset.k, Number(el.querySelector("b").textContent)]));
  const map = (await import("/js/emergency-map.js")).drawnEmergency();
  return {
    open: shown("#emergency-panel"), tool: text("#tool-emergency"), heading: text("#emergency-panel h2"), mode: text("#emg-mode"),
    status: text("#emg-status"), message: shown("#emg-message") ? text("#emg-message") : null, code: q("#emg-message")?.dataset.code ?? null,
    bad: Boolean(q("#emg-message.tone-bad")), editor: shown("#emg-editor"), readonly: shown("#emg-readonly") ? text("#emg-readonly") : null,
    create: text("#emg-create"), drawStatus: shown("#emg-drawbar") ? text("#emg-draw-status") : null,
    hazards: all("#emg-hazards li[data-shape]").map((li) => [li.dataset.shape, li.textContent]),
    closures: all("#emg-closures li[data-shape]").map((li) => [li.dataset.shape, li.textContent]),
    plan: q("#emg-plan")?.dataset.plan || null, rev: Number(q("#emg-plan")?.dataset.rev) || 0, figures: tiles("#emg-figures"),
    musters: all("#emg-musters tbody tr").map((tr) => ({ ...tr.dataset, text: tr.textContent })),
    unreachable: all("#emg-unreachable li[data-person]").map((li) => ({ ...li.dataset, text: li.textContent })),
    legend: all("#emg-legend .emg-chip").map((c) => [c.dataset.status, c.textContent]),
    order: q("#emg-order [data-order]") ? { id: q("#emg-order [data-order]").dataset.order, active: q("#emg-order [data-order]").dataset.active,
      state: text("#emg-order-state"), text: text("#emg-order-text"), acks: text("#emg-acks"), acked: Number(q("#emg-acks").dataset.acked),
      sent: Number(q("#emg-acks").dataset.sent), pending: all("#emg-pending li").map((li) => li.dataset.person) } : null,
    orderForm: shown("#emg-order-form"), end: shown("#emg-order-end"), issue: text("#emg-order-issue"),
    roll: { at: q("#emg-roll")?.dataset.at || null, totals: tiles("#emg-roll-totals"), lost: all("#emg-unaccounted li[data-person]").length,
      groups: all("#emg-roll-table tbody tr").map((tr) => ({ key: tr.dataset.key,
        ...Object.fromEntries([...tr.querySelectorAll("td[data-k]")].map((td) => [td.dataset.k, Number(td.textContent)])) })),
      heading: text("#emg-roll-sec h3") },
    csv: q("#emg-csv")?.getAttribute("href") ?? null, csvText: text("#emg-csv"),
    report: shown("#emg-report-view") ? { text: text("#emg-report-doc"), figs: Object.fromEntries(all("#emg-report-figs .emg-report-fig").map((f) => [f.dataset.k, Number(f.querySelector("b").textContent)])),
      roll: Object.fromEntries(all("#emg-report-roll .emg-report-fig").map((f) => [f.dataset.k, Number(f.querySelector("b").textContent)])),
      acks: text("#emg-report-acks"), rev: Number(q("#emg-report-plan")?.dataset.rev), musters: all("#emg-report-musters tbody tr").length, image: q("#emg-report-map")?.getAttribute("src") || "" } : null,
    map,
  };
});

// waitSnap polls snap until ok(snap) holds, and returns that snap.
async function waitSnap(ok, what, ms = 10000) {
  let last = null;
  return until(async () => { last = await snap(); return ok(last) && last; }, ms, () => `${what}: ${JSON.stringify({ ...last, map: { ...last?.map, people: undefined } })}`);
}

// sameRev waits until the panel and REST show the same rev of the plan.
async function sameRev(what) {
  let rest = null, last = null;
  await until(async () => {
    rest = await get(`/api/v1/evacuation/plans/${planId}`);
    last = await snap();
    return last.plan === planId && last.rev === rest.rev && last.map.routes === rest.routes.features.length;
  }, 15000, () => `${what}: panel rev ${last?.rev} (${last?.map.routes} routes) vs REST ${rest?.rev} (${rest?.routes.features.length})`);
  return { s: last, rest };
}

// draw starts drawing with button (a selector), then clicks the points
// (fractions of the map canvas, or [lon, lat] where the map shows them;
// each checked to be on the canvas, not under a panel) and double-clicks
// the last.
async function draw(button, points) {
  const px = await page.evaluate(({ button, points }) => {
    const canvas = document.querySelector("#map canvas"), box = canvas.getBoundingClientRect();
    const out = points.map(([a, b]) => {
      if (a <= 1) return [box.x + box.width * a, box.y + box.height * b];
      const s = window.chemtwin.screen(a, b);
      return s ? [box.x + s.x, box.y + s.y] : [-1, -1];
    });
    const covered = out.filter(([x, y]) => document.elementFromPoint(x, y) !== canvas);
    if (covered.length) return { covered: covered.map(([x, y]) => [x, y, document.elementFromPoint(x, y)?.id]) };
    document.querySelector(button).click();
    return out;
  }, { button, points });
  assert.ok(Array.isArray(px), `points not on the map: ${JSON.stringify(px)}`);
  for (const p of px.slice(0, -1)) {
    await page.mouse.click(...p);
    await sleep(60);
  }
  await page.mouse.dblclick(...px[px.length - 1]);
}

// signIn signs user in through the login dialog (in one round trip: the
// page is busy) and opens the emergency panel.
async function signIn(user) {
  await page.evaluate(async (user) => {
    const q = (s) => document.querySelector(s);
    const wait = async (ok) => {
      for (const end = Date.now() + 10000; !ok();) {
        if (Date.now() > end) throw new Error("sign-in timed out");
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    if (q("#logout-button")) {
      q("#logout-button").click();
      await wait(() => q("#login-button"));
    }
    q("#login-button").click();
    const form = q("#login-dialog form");
    form.elements.username.value = user;
    form.elements.password.value = "demo";
    form.requestSubmit();
    await wait(() => q("#logout-button"));
    if (q("#emergency-panel").hidden) q("#tool-emergency").click();
  }, user);
}

// respond runs act (a selector to click, or a function) and returns the
// request and the answer of the call it makes to path (method).
async function respond(act, method, path) {
  const match = (r) => r.method() === method && new URL(r.url()).pathname.startsWith(path);
  const [req, resp] = await Promise.all([page.waitForRequest(match, { timeout: 15000 }), page.waitForResponse((r) => match(r.request()), { timeout: 15000 }),
    typeof act === "string" ? tap(act) : act()]);
  return { body: req.postDataJSON(), status: resp.status(), json: await resp.json() };
}

test("a hazard drawn over the plant makes a plan whose routes flow on the map", async () => {
  await signIn("emergency");
  let s = await waitSnap((x) => x.open && x.editor && x.roll.at, "the panel did not open with its editor and the roll call");
  assert.equal(s.heading, "应急指挥 · 撤离");
  assert.equal(s.readonly, null);

  // nothing to plan around: refused by the server, in words, code kept
  let r = await respond(() => page.evaluate(() => {
    document.querySelector("#emg-use-zones").checked = false;
    document.querySelector("#emg-create").click();
  }), "POST", "/api/v1/evacuation/plans");
  assert.equal(r.status, 400);
  s = await waitSnap((x) => x.code === "bad_request", "the refusal not shown");
  assert.ok(s.bad && /服务器拒绝了请求：nothing to plan around/.test(s.message), s.message);

  // the hazard: four corners around the methanol unit, where people work,
  // the camera straight down over the plant's east side
  await page.evaluate(async () => {
    document.querySelector("#emg-use-zones").checked = true;
    const v = (await import("/js/viewer.js")).currentViewer();
    v.camera.setView({ destination: Cesium.Rectangle.fromDegrees(106.5960, 38.0960, 106.6080, 38.1040) });
  });
  await draw("#emg-draw-hazard", [[106.6040, 38.0988], [106.6075, 38.0988], [106.6075, 38.1012], [106.6040, 38.1012]]);
  s = await waitSnap((x) => x.hazards.length === 1 && x.drawStatus === null, "the hazard not listed");
  assert.match(s.hazards[0][1], /危险区 1\s*区域/);
  r = await respond("#emg-create", "POST", "/api/v1/evacuation/plans");
  assert.equal(r.status, 201, JSON.stringify(r.json));
  planId = r.json.id;
  assert.equal(r.body.use_threat_zones, true);
  assert.equal(r.body.hazards.length, 1);
  assert.equal(r.body.hazards[0].geometry.type, "Polygon");
  assert.equal(r.body.hazards[0].geometry.coordinates[0].length, 5);
  assert.equal(r.body.wind, undefined, "the live wind is the server's");
  assert.ok(r.json.routed > 0, "nobody routed");
  const { s: p, rest } = await sameRev("the plan not shown at the rev REST has");
  assert.equal(p.map.routes, rest.routed, "routes drawn ≠ the plan's routed");
  assert.deepEqual([p.figures.people, p.figures.routed, p.figures.unreachable], [rest.people, rest.routed, rest.unreachable_count]);
  assert.equal(p.figures.inside, rest.routes.features.filter((f) => f.properties.starts_inside).length);
  assert.ok(p.figures.inside > 0, "nobody starts inside the hazard drawn over the methanol unit");
  assert.deepEqual(p.musters.map((m) => [m.muster, Number(m.assigned), Number(m.capacity), m.status]),
    rest.muster_points.map((m) => [m.id, m.assigned, m.capacity, m.status]));
  for (const m of p.map.musters) {
    const want = rest.muster_points.find((x) => x.id === m.id);
    assert.ok(m.text.includes(`${want.assigned}/${want.capacity}`), `muster label ${m.text}`);
  }
  assert.equal(p.unreachable.length, rest.unreachable.length);
  assert.ok(p.map.on && p.map.shown && p.map.hazards === 1 && p.map.materials > 0, JSON.stringify(p.map));
  assert.match(p.mode, /退出应急模式/);
  // people coloured by status, with the legend
  assert.ok(Object.values(p.map.people).includes("moving"), "no person drawn as evacuating");
  assert.ok(Object.values(p.map.people).includes("in_hazard"), "no person drawn as in a hazard");
  assert.deepEqual(p.legend.map(([k]) => k), ["safe", "moving", "in_hazard", "no_route", "unaccounted"]);

  // the chevrons flow: the offset and the scene's frame move
  const a = p.map;
  await sleep(500);
  const b = (await snap()).map;
  assert.ok(b.frame > a.frame, `no new frame (${a.frame} → ${b.frame})`);
  assert.notEqual(b.offset, a.offset, "the routes do not move");
});

test("closures drawn on the map update the plan: the muster points inside are unsafe, the overflow dashed", async () => {
  const before = await get(`/api/v1/evacuation/plans/${planId}`);
  // the camera over the plant's west side, where the muster points 1# and 3# are
  await page.evaluate(async () => {
    const v = (await import("/js/viewer.js")).currentViewer();
    v.camera.setView({ destination: Cesium.Rectangle.fromDegrees(106.5870, 38.0960, 106.5990, 38.1040) });
  });
  // a closed area around them (not 2# at the main gate), and a barrier
  await draw("#emg-draw-closure-area", [[106.5940, 38.0978], [106.5966, 38.0978], [106.5966, 38.1010], [106.5940, 38.1010]]);
  await waitSnap((x) => x.closures.length === 1 && x.drawStatus === null, "the closed area not listed");
  await draw("#emg-draw-closure-line", [[106.5975, 38.0975], [106.5975, 38.1030]]);
  let s = await waitSnap((x) => x.closures.length === 2 && x.drawStatus === null, "the barrier not listed");
  assert.match(s.closures[0][1], /封闭 1\s*区域/);
  assert.match(s.closures[1][1], /封闭 2\s*封闭线/);

  const r = await respond("#emg-update", "PUT", `/api/v1/evacuation/plans/${planId}`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(r.body.closures.map((c) => c.geometry.type), ["Polygon", "LineString"]);
  assert.equal(r.body.hazards.length, 1, "the hazard is kept");
  assert.ok(r.json.rev > before.rev);
  const { s: p, rest } = await sameRev("the updated plan not shown");
  assert.equal(p.map.routes, rest.routed);
  assert.equal(p.map.closures, 2);
  // the muster points in the closed area: unsafe, with the reason, on the panel and the map
  const closed = rest.muster_points.filter((m) => m.status === "in_closure").map((m) => m.id);
  assert.deepEqual(closed, ["MP-01", "MP-03"]);
  for (const id of closed) {
    assert.match(p.musters.find((m) => m.muster === id).text, /位于封闭区/);
    assert.match(p.map.musters.find((m) => m.id === id).text, /^✕ 位于封闭区/);
  }
  // too little room left: the overflow is told the way past capacity, drawn dashed
  const over = rest.unreachable.filter((u) => u.reason === "no_capacity" && u.fallback);
  assert.ok(over.length > 0, "nobody over capacity");
  assert.equal(p.map.fallbacks, over.length);
  assert.equal(p.unreachable.filter((u) => u.reason === "no_capacity" && /超容量撤往/.test(u.text)).length, over.length);
  assert.match(p.message, /方案已更新/);
});

test("the evacuation order is issued, a tag acknowledges over MQTT and the counter follows", async () => {
  // issued through the form; the counter as the panel first shows it, read
  // in the page as soon as the answer is drawn (the simulated wearers
  // acknowledge too, 5–40 s after their notice)
  let first = null;
  const r = await respond(async () => {
    first = await page.evaluate(async () => {
      const q = (s) => document.querySelector(s);
      q("#emg-order-msg").value = "浏览器测试：请立即撤离至集合点";
      q("#emg-order-issue").click();
      for (const end = Date.now() + 10000; !q("#emg-order [data-order]") && Date.now() < end;) await new Promise((res) => setTimeout(res, 20));
      return q("#emg-acks")?.textContent ?? null;
    });
  }, "POST", "/api/v1/evacuation/orders");
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.body.plan_id, planId);
  assert.equal(r.body.message, "浏览器测试：请立即撤离至集合点");
  orderId = r.json.id;
  sent = r.json.sent;
  assert.ok(sent > 0);
  assert.equal(r.json.acked, 0);
  assert.equal(first, `已确认 0/${sent}`);
  let s = await waitSnap((x) => x.order && x.order.id === orderId && x.order.pending.length > 0, "the order not shown");
  assert.equal(s.order.active, "true");
  assert.equal(s.order.sent, sent);
  assert.equal(s.order.text, "浏览器测试：请立即撤离至集合点");
  assert.ok(!s.orderForm && s.end, "the form stays or the all clear is missing");

  // one routed person, still pending, acknowledges on their tag
  const order = await get(`/api/v1/evacuation/orders/${orderId}`);
  const routed = new Set((await get(`/api/v1/evacuation/plans/${planId}`)).routes.features.map((f) => f.properties.person_id));
  const who = order.pending.find((a) => routed.has(a.person_id) && s.order.pending.includes(a.person_id));
  assert.ok(who, "no routed person pending");
  ackedPerson = who.person_id;
  await server.publish(`chemtwin/demo/tags/${who.tag}/ack`, { ref: orderId });
  // counted: gone from the pending list, and the counter between what REST
  // said just before and just after the look
  let before = null, after = null;
  s = await until(async () => {
    before = await get(`/api/v1/evacuation/orders/${orderId}`);
    const x = await snap();
    after = await get(`/api/v1/evacuation/orders/${orderId}`);
    return before.acks.some((a) => a.person_id === ackedPerson) && !x.order.pending.includes(ackedPerson) && x.order.acked >= before.acked && x.order.acked <= after.acked && x;
  }, 10000, () => `the acknowledgement not counted: REST ${before?.acked}–${after?.acked}`);
  assert.ok(s.order.acked >= 1);
  assert.equal(s.order.acks, `已确认 ${s.order.acked}/${sent}`);
});

test("the roll call shows what GET /api/v1/muster answers; its CSV link answers a CSV", async () => {
  const s = await waitSnap((x) => rolls.has(x.roll.at), "the panel does not show a roll call it fetched");
  const body = rolls.get(s.roll.at);
  assert.deepEqual(s.roll.totals, { total: body.totals.total, arrived: body.totals.arrived, inside: body.totals.inside,
    unaccounted: body.totals.unaccounted, left: body.totals.left });
  assert.deepEqual(s.roll.groups.map((g) => [g.key, g.total, g.arrived, g.inside, g.unaccounted]),
    body.by_area.map((g) => [g.key, g.total, g.arrived, g.inside, g.unaccounted]));
  assert.equal(s.roll.lost, body.people.filter((p) => p.status === "unaccounted").length);
  for (const m of s.musters) assert.equal(Number(m.arrived), body.muster_points.find((x) => x.id === m.muster).arrived, m.muster);
  const own = await get("/api/v1/muster");
  assert.equal(own.totals.total, s.roll.totals.total, "the roll call's total differs from REST");

  await page.evaluate(() => {
    const by = document.querySelector("#emg-roll-by");
    by.value = "identity";
    by.dispatchEvent(new Event("change", { bubbles: true }));
  });
  const byId = await waitSnap((x) => x.roll.groups.some((g) => g.key === "internal"), "no identity groups");
  assert.ok(byId.roll.groups.every((g) => ["internal", "contractor", "visitor", "unknown"].includes(g.key)));

  assert.equal(s.csv, "/api/v1/muster?format=csv");
  const csv = await fetch(new URL(s.csv, server.url));
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get("content-type"), /^text\/csv/);
  assert.match(csv.headers.get("content-disposition"), /attachment; filename="muster-\d{8}-\d{6}\.csv"/);
  const lines = (await csv.text()).replace(/^\ufeff/, "").trim().split("\n");
  assert.match(lines[0], /^person_id,name,identity_type,department,tag,status,muster_id/);
  assert.ok(lines.length - 1 >= own.totals.total - 5, `${lines.length - 1} rows for ${own.totals.total} people`);
});

test("the situation report opens with the plan, the order and the roll call, and prints", async () => {
  await tap("#emg-report");
  const s = await waitSnap((x) => x.report && x.report.image, "the report did not open with the map", 15000);
  const rep = s.report;
  assert.match(rep.text, /应急态势报告/);
  assert.ok(rep.text.includes(planId), "the plan's id missing");
  // the plan's figures as the panel shows them (the same plan, unless it
  // was re-planned since: then they add up)
  const figs = [rep.figs["emg.fig.people"], rep.figs["emg.fig.routed"], rep.figs["emg.fig.unreachable"]];
  if (rep.rev === s.rev) assert.deepEqual(figs, [s.figures.people, s.figures.routed, s.figures.unreachable]);
  else assert.equal(figs[1] + figs[2], figs[0]);
  const acks = /^已确认 (\d+)\/(\d+) · 未确认 (\d+) 人$/.exec(rep.acks);
  assert.ok(acks, rep.acks);
  assert.equal(Number(acks[2]), sent);
  assert.ok(Number(acks[1]) >= 1 && Number(acks[1]) + Number(acks[3]) === sent, rep.acks);
  assert.ok(rep.text.includes("浏览器测试：请立即撤离至集合点"));
  assert.equal(rep.musters, 4);
  assert.equal(rep.roll["emg.roll.total"], s.roll.totals.total);
  assert.match(rep.image, /^data:image\/jpeg;base64,/);
  // the snapshot shows the map: the size of the canvas, and many colours
  const shot = await page.evaluate(async () => {
    const img = document.querySelector("#emg-report-map");
    await img.decode();
    const c = document.createElement("canvas");
    [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data, colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 61) colours.add(((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4));
    const canvas = document.querySelector("#map canvas");
    return { w: c.width, h: c.height, cw: canvas.width, ch: canvas.height, colours: colours.size };
  });
  assert.deepEqual([shot.w, shot.h], [shot.cw, shot.ch], "the snapshot is not the map's size");
  assert.ok(shot.colours > 30, `the map snapshot has ${shot.colours} colours`);
  assert.match(rep.text, /危险区|实时威胁区/);
  assert.match(rep.text, /封闭/);
  const printed = await page.evaluate(() => {
    let called = false;
    const print = window.print;
    window.print = () => { called = true; };
    document.querySelector("#emg-report-print").click();
    window.print = print;
    return called;
  });
  assert.ok(printed, "print not called");
  // on paper, the report alone
  await page.emulateMedia({ media: "print" });
  const hidden = await page.evaluate(() => [getComputedStyle(document.querySelector("#workspace")).display, getComputedStyle(document.querySelector(".emg-report-bar")).display]);
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(hidden, ["none", "none"]);
  await tap("#emg-report-close");
  await waitSnap((x) => x.report === null, "the report did not close");
});

test("the all clear ends the order", async () => {
  const r = await respond("#emg-order-end", "POST", `/api/v1/evacuation/orders/${orderId}/end`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const s = await waitSnap((x) => x.order && x.order.active === "false", "the order still stands");
  assert.match(s.order.state, /撤离令已于 .* 解除/);
  assert.ok(s.orderForm && !s.end, "the form is not back");
  assert.equal((await get(`/api/v1/evacuation/orders/${orderId}`)).active, false);
});

test("the English switch translates the panel", async () => {
  await tap("#lang-toggle");
  const s = await waitSnap((x) => x.heading === "Emergency command · evacuation", "the panel is not in English");
  assert.equal(s.tool, "Emergency");
  assert.equal(s.create, "Make the evacuation plan");
  assert.match(s.order.acks, new RegExp(`^Acknowledged \\d+/${sent}$`));
  assert.match(s.order.state, /^Evacuation order ended at/);
  assert.equal(s.roll.heading, "Roll call");
  assert.equal(s.csvText, "Export CSV");
  assert.ok(s.musters.every((m) => /Safe|In a hazard|In a closed area|Downwind|Off the walkways/.test(m.text)), JSON.stringify(s.musters));
  assert.ok(s.map.musters.every((m) => /assigned/.test(m.text)), "the map's labels are not in English");
  assert.match(s.status, /^Plan “/);
  assert.ok(!/[\u4e00-\u9fff]/.test(s.legend.map(([, t]) => t).join("")), "Chinese left in the legend");
  await tap("#lang-toggle");
  await waitSnap((x) => x.heading === "应急指挥 · 撤离", "not back in Chinese");
});

test("an inspector sees the plan and the roll call, not the planning or ordering controls", async () => {
  await signIn("inspector");
  const s = await waitSnap((x) => x.open && x.readonly, "no read-only note for the inspector");
  assert.ok(!s.editor && !s.orderForm && !s.end, "planning or ordering controls shown to an inspector");
  assert.match(s.readonly, /当前角色只能查看/);
  assert.equal(s.plan, planId);
  assert.ok(s.map.routes > 0 && s.roll.totals.total > 0);
});

test("no outside requests and no unexpected console errors", async () => {
  assert.deepEqual(view.outside, [], "requests to hosts other than the chemtwin server");
  // the refused plan (400) is logged by the browser as a failed resource
  const unexpected = view.errors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));
  assert.deepEqual(unexpected, [], "console errors");
});
