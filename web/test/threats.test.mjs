// Browser tests of the threat zones tool (威胁区) against the built binary
// playing the demo's scripted ammonia leak (--scenario ammonia-leak, 100 g/s
// from pump P-101A, starting 1 s after the simulator): the tool lists the
// live ammonia incident with its zones, warnings in words and people at
// risk, and the map draws the zones translucent (confidence regions dashed)
// with the source's downwind arrow, hidden in the default view until the
// panel's button shows the layer; an emergency user runs a what-if from
// the form (a refusal shows in the panel), sees its zones in the panel and
// on the map as a separate dashed overlay, finds it in GET /api/v1/scenarios,
// clears and reopens it, and deletes it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, openViewer, outDir, sleep, until, login } from "./harness.mjs";

const RED = "#ff3b30", ORANGE = "#ff9500", YELLOW = "#ffd60a"; // palette.js RISK
const LEVEL = { 1: YELLOW, 2: ORANGE, 3: RED };
const NAME = "浏览器测试推演";

let server, view, page;

before(async () => {
  server = await startServer({ args: ["--scenario", "ammonia-leak", "--scenario-start", "1s"] });
  view = await openViewer(server);
  page = view.page;
});

after(async () => {
  await view?.browser.close();
  await server?.stop();
});

// drawn is what the map shows of the threat zones (threats.js drawnThreats).
const drawn = () => page.evaluate(async () => (await import("/js/threats.js")).drawnThreats());

async function openPanel() {
  if ((await page.locator("#tool-threats").getAttribute("aria-pressed")) !== "true") await page.click("#tool-threats");
  await page.locator("#threats-panel").waitFor({ state: "visible", timeout: 5000 });
}

test("the live ammonia leak is listed with its zones and drawn on the map", async () => {
  await openPanel();
  assert.equal(await page.locator("#threats-panel h2").textContent(), "威胁区");
  assert.equal(await page.locator("#tool-threats").textContent(), "威胁区");
  const incident = page.locator('#threat-list .threat-incident[data-substance="ammonia"]');
  await incident.locator(".threat-zone").first().waitFor({ timeout: 60000 });
  assert.equal(await page.locator("#threat-none").isVisible(), false, "'no live threat' shows beside an incident");

  // the panel says what the server says (the list follows within a poll)
  let inc = null;
  const names = { 3: "红区", 2: "橙区", 1: "黄区" };
  await until(async () => {
    const api = await page.evaluate(() => fetch("/api/v1/threats").then((r) => r.json()));
    inc = api.incidents.find((i) => i.substance === "ammonia");
    const levels = inc ? [...new Set(inc.zones.map((z) => z.level))].sort().reverse() : [];
    const shown = await incident.locator(".threat-zone").evaluateAll((els) => els.map((e) => Number(e.dataset.level)));
    return inc && levels.length > 0 && JSON.stringify(shown) === JSON.stringify(levels);
  }, 10000, async () => `the panel's levels never matched the API's: ${JSON.stringify(inc)} vs ${await incident.textContent()}`);
  const text = await incident.textContent();
  assert.match(await incident.locator(".threat-substance").textContent(), /^氨$/);
  assert.match(text, /泄漏速率/);
  assert.match(await incident.locator(".threat-rate").textContent(), /^≥?[\d.,]+ 克\/秒$/);
  if (inc.source.source_id) assert.match(await incident.locator(".threat-source").textContent(), new RegExp(`\\(${inc.source.source_id}\\)$`));
  else assert.match(text, /估算位置/);
  assert.match(text, /[北东南西]+风 [\d.]+ m\/s，[A-F] 类稳定度/);
  // every row at once (the list is rebuilt when a value changes)
  const rows = await incident.locator(".threat-zone").evaluateAll((els) => els.map((e) => ({
    level: Number(e.dataset.level), text: e.textContent, count: e.querySelector(".threat-zone-count")?.textContent ?? null,
    swatch: getComputedStyle(e.querySelector(".threat-swatch")).backgroundColor,
  })));
  for (const row of rows) {
    const t = row.text;
    assert.ok(t.includes(names[row.level]) && /AEGL-\d \(60 min\) · [\d,]+ ppm/.test(t) && /下风向 [\d,]+ 米/.test(t), `zone row: ${t}`);
    if (row.count !== null) assert.match(row.count, /^\d+$/);
    else assert.match(t, /仅有风向摆动范围/);
    const hex = LEVEL[row.level];
    assert.equal(row.swatch, `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`, `level ${row.level} swatch`);
  }
  const warnings = await incident.locator(".threat-warnings li").evaluateAll((els) => els.map((e) => [e.dataset.warning, e.textContent]));
  for (const [code, sentence] of warnings) assert.ok(sentence !== code && /[\u4e00-\u9fff]/.test(sentence), `warning ${code} untranslated: ${sentence}`);
  assert.match(await incident.locator(".threat-count").textContent(), /^\d+$/);

  // the alarming detector's label shows its reading, seen from afar
  const alarmed = inc.detectors[0];
  const label = await until(async () => {
    const got = await page.evaluate(async (id) => {
      const live = await import("/js/live.js");
      const f = (await import("/js/state.js")).state.features.get(id);
      return { drawn: live.drawnLabel(id), want: f && live.detectorLabel(f.properties), state: f && f.properties.state };
    }, alarmed);
    return got.drawn && got.drawn.text === got.want && /^≥?[\d.]+ ppm$/.test(got.want) && got.drawn.far > 1000 && got;
  }, 10000, `detector ${alarmed}'s label never showed its alarming reading`);
  assert.ok(label.drawn.show, `${alarmed}'s label hidden`);

  // the map: translucent zones with solid edges, dashed confidence regions,
  // the source with a downwind arrow — hidden in the default (safety) view
  const live = await until(async () => {
    const d = await drawn();
    return d.live && d.live.zones.some((z) => z.id.startsWith("TZ-ammonia-")) && d.live;
  }, 10000, async () => `no ammonia zones drawn: ${JSON.stringify(await drawn())}`);
  const threat = live.zones.filter((z) => z.zone === "threat"), conf = live.zones.filter((z) => z.zone === "confidence");
  assert.ok(threat.length > 0 && conf.length > 0, `zones drawn: ${JSON.stringify(live.zones)}`);
  for (const z of threat) {
    assert.equal(z.fill, 0.25, `${z.id} fill alpha`);
    assert.equal(z.outline, "solid", `${z.id} outline`);
    assert.equal(z.colour, LEVEL[z.level], `${z.id} colour`);
    assert.ok(z.parts >= 1, `${z.id} has no polygon`);
  }
  for (const z of conf) {
    assert.equal(z.fill, 0, `${z.id} is filled`);
    assert.equal(z.outline, "dashed", `${z.id} outline`);
  }
  const src = live.sources.find((s) => s.substance === "ammonia");
  assert.ok(src, `no source marked: ${JSON.stringify(live.sources)}`);
  // downwind: wind_from + 180°, 40 m + 25 m per m/s, from the wind drawn;
  // that wind is the incident's (its 10-min mean moves slowly)
  assert.ok(Math.abs(src.bearing - ((src.wind_from + 180) % 360)) < 1e-9, `arrow bearing ${src.bearing}, wind from ${src.wind_from}`);
  assert.ok(Math.abs(src.length_m - (40 + 25 * src.wind_speed)) < 1e-9, `arrow ${src.length_m} m for ${src.wind_speed} m/s`);
  const turn = Math.abs(((src.wind_from - inc.weather.wind_from + 540) % 360) - 180);
  assert.ok(turn < 30, `arrow drawn for wind from ${src.wind_from}°, the incident's wind is from ${inc.weather.wind_from}°`);
  assert.match(src.label, /^氨泄漏源 · [北东南西]+风 [\d.]+ m\/s$/);
  assert.equal(live.shown, false, "the threat zones show in the safety view, which has them off");
  await page.locator("#threat-show-layer").click();
  await until(async () => (await drawn()).live.shown, 5000, "the zones did not show");
  await until(() => page.locator('#layer-panel input[data-layer="threat_zones"]').isChecked(), 3000, "the layer toggle does not follow");
  assert.equal(await page.locator("#threat-show-layer").isVisible(), false);
  await page.screenshot({ path: join(outDir, "viewer-threats.png") });

  // a person at risk, by name, selects and flies to the person
  const person = incident.locator(".threat-person").first();
  if (await person.count()) {
    const who = (await person.textContent()).trim();
    await person.click();
    await page.locator("#info-panel").waitFor({ state: "visible", timeout: 5000 });
    await until(async () => (await page.locator("#info-title").textContent()).includes(who), 5000, `info panel does not show ${who}`);
  }

  // English
  await page.click("#lang-toggle");
  await page.waitForFunction(() => document.querySelector("#threats-panel h2").textContent === "Threat zones", null, { timeout: 5000 });
  await until(async () => (await incident.locator(".threat-substance").textContent()) === "Ammonia", 5000, "substance not in English");
  assert.match(await incident.textContent(), /\d+ m downwind/);
  assert.match(await incident.locator(".threat-rate").textContent(), /^≥?[\d.,]+ g\/s$/);
  for (const sentence of await incident.locator(".threat-warnings li").allTextContents()) assert.ok(!/[\u4e00-\u9fff]/.test(sentence), `warning in Chinese: ${sentence}`);
  await until(async () => /^Ammonia source · /.test((await drawn()).live.sources[0]?.label || ""), 5000, "map label not in English");
  await page.click("#lang-toggle");
  await page.waitForFunction(() => document.querySelector("#threats-panel h2").textContent === "威胁区", null, { timeout: 5000 });
});

test("an emergency user runs a what-if, sees its zones, finds it saved and deletes it", async () => {
  await openPanel();
  assert.ok(await page.locator("#whatif-readonly").isVisible(), "a visitor is not told who may plan");
  assert.equal(await page.locator("#whatif-form").isVisible(), false, "the what-if form shows to a visitor");
  await login(page, "emergency");
  const form = page.locator("#whatif-form");
  await form.waitFor({ state: "visible", timeout: 5000 });
  assert.equal(await page.locator("#whatif-readonly").isVisible(), false);

  // the scene's release sources by name and id; the substance follows the source
  const offered = await form.locator("select[name=source] option").evaluateAll((els) => els.map((e) => [e.value, e.textContent]));
  assert.ok(offered.some(([v, l]) => v === "P-101A" && l === "液氨进料泵A (P-101A)"), `sources: ${JSON.stringify(offered)}`);
  assert.ok(offered.some(([v]) => v === "P-201") && offered.some(([v]) => v === "TK-405"), `sources: ${JSON.stringify(offered)}`);
  await form.locator("select[name=source]").selectOption("P-201");
  assert.equal(await form.locator("select[name=substance]").inputValue(), "methanol");
  await form.locator("select[name=source]").selectOption("P-101A");
  assert.equal(await form.locator("select[name=substance]").inputValue(), "ammonia");
  assert.equal(await form.locator("input[name=wind_speed]").isVisible(), false, "given weather shows with the live wind chosen");

  const error = form.locator(".form-error");
  await form.locator("button[type=submit]").click();
  assert.match(await error.textContent(), /泄漏速率须大于 0/);
  await form.locator("input[name=name]").fill(NAME);
  await form.locator("input[name=rate]").fill("100");
  await form.locator("input[name=duration]").fill("0");
  await form.locator("input[name=weather][value=given]").check();
  await form.locator("input[name=wind_speed]").fill("3");
  await form.locator("input[name=wind_from]").fill("270");
  await form.locator("select[name=stability]").selectOption("D");

  // the server's refusal shows in the panel
  await page.route("**/api/v1/scenarios", (route) => route.request().method() === "POST"
    ? route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: { code: "bad_request", message: "threat: bad what-if scenario: no weather station reports wind: give the weather" } }) })
    : route.continue());
  await form.locator("button[type=submit]").click();
  await page.waitForFunction(() => /no weather station/.test(document.querySelector("#whatif-form .form-error").textContent), null, { timeout: 5000 });
  assert.match(await error.textContent(), /^服务器拒绝：threat: bad what-if scenario/);
  await page.unroute("**/api/v1/scenarios");

  await form.locator("button[type=submit]").click();
  await page.waitForFunction(() => /已完成并保存推演 SC-/.test(document.getElementById("whatif-status").textContent), null, { timeout: 15000 });
  const id = (await page.locator("#whatif-status").textContent()).match(/SC-\S+/)[0];
  assert.equal(await error.isVisible(), false);
  const doc = await page.evaluate((id) => fetch("/api/v1/scenarios/" + id).then((r) => r.json()), id);
  assert.equal(doc.name, NAME);
  assert.equal(doc.by, "emergency");
  assert.deepEqual(doc.request.release, { type: "direct", rate_g_s: 100 });
  assert.deepEqual(doc.request.weather, { wind_speed: 3, wind_from: 270, stability: "D" });
  assert.equal(doc.request.source_id, "P-101A");

  // the panel: its zones with reach and people at risk
  const result = page.locator("#whatif-result");
  assert.match(await result.locator(".whatif-name").textContent(), new RegExp(`推演结果：${NAME}`));
  const inc = doc.result.incident;
  assert.equal(inc.substance, "ammonia");
  const rows = result.locator(".threat-zone");
  const levels = [...new Set(inc.zones.map((z) => z.level))].sort().reverse();
  assert.ok(levels.length >= 1, `what-if zones: ${JSON.stringify(inc.zones)}`);
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => Number(e.dataset.level))), levels);
  for (const z of inc.zones.filter((z) => z.zone === "threat")) {
    const row = result.locator(`.threat-zone[data-level="${z.level}"]`);
    assert.match(await row.textContent(), new RegExp(`下风向 ${Math.round(z.distance_m).toLocaleString("zh-CN")} 米`));
    assert.equal(await row.locator(".threat-zone-count").textContent(), String(z.people_at_risk));
  }
  const everyone = new Set(inc.zones.flatMap((z) => z.people));
  assert.equal(await result.locator(".threat-count").textContent(), String(everyone.size));
  assert.match(await result.textContent(), /西风 3\.0 m\/s，D 类稳定度（指定气象）/);
  assert.match(await result.locator(".threat-rate").textContent(), /^100 克\/秒$/);

  // the map: a separate overlay, lighter and dashed, labelled 推演
  const d = await drawn();
  assert.ok(d.whatif, "no what-if overlay");
  assert.equal(d.whatif.id, id);
  assert.equal(d.whatif.zones.length, doc.result.zones.features.length);
  assert.ok(d.whatif.shown, "the what-if overlay is hidden");
  for (const z of d.whatif.zones) {
    assert.equal(z.outline, "dashed", `${z.id} outline`);
    assert.equal(z.fill, z.zone === "threat" ? 0.12 : 0, `${z.id} fill`);
    assert.ok(z.id.startsWith(`WI-${id}-ammonia-`), z.id);
  }
  assert.equal(d.whatif.sources.length, 1);
  assert.equal(d.whatif.sources[0].bearing, 90, "wind from 270° blows east");
  assert.equal(d.whatif.sources[0].length_m, 40 + 25 * 3);
  assert.match(d.whatif.sources[0].label, new RegExp(`^推演：${NAME} · 氨 · 西风 3\\.0 m/s$`));
  assert.ok(d.live.zones.every((z) => z.id.startsWith("TZ-")), "the what-if went into the live layer");
  await page.screenshot({ path: join(outDir, "viewer-whatif.png") });

  // saved: listed by the API and in the panel
  const listed = await page.evaluate(() => fetch("/api/v1/scenarios").then((r) => r.json()));
  assert.ok(listed.scenarios.some((s) => s.id === id && s.name === NAME && s.by === "emergency"), JSON.stringify(listed));
  const li = page.locator(`#scenario-list li[data-scenario-id="${id}"]`);
  await li.waitFor({ timeout: 5000 });
  assert.equal(await li.getAttribute("aria-current"), "true");

  // Clear, then Open again
  await page.click("#whatif-clear");
  assert.equal((await drawn()).whatif, null, "the overlay stayed after Clear");
  assert.equal(await result.isVisible(), false);
  await li.locator(".scenario-open").click();
  await until(async () => (await drawn()).whatif?.id === id, 5000, "Open did not draw the what-if");
  await result.locator(".threat-zone").first().waitFor({ timeout: 5000 });

  // Delete
  page.once("dialog", (dialog) => dialog.accept());
  await li.locator(".scenario-delete").click();
  await li.waitFor({ state: "detached", timeout: 10000 });
  assert.match(await page.locator("#whatif-status").textContent(), new RegExp(`已删除推演 ${id}`));
  assert.equal((await drawn()).whatif, null, "the deleted what-if is still drawn");
  const after = await page.evaluate(() => fetch("/api/v1/scenarios").then((r) => r.json()));
  assert.ok(!after.scenarios.some((s) => s.id === id), `still listed: ${JSON.stringify(after)}`);
});

test("no outside requests and no unexpected console errors", async () => {
  assert.deepEqual(view.outside, [], "requests to hosts other than the chemtwin server");
  // the refusal this suite provokes (400 what-if) logs as a failed load
  const unexpected = view.errors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));
  assert.deepEqual(unexpected, [], "console errors");
});
