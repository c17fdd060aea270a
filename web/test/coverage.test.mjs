// Browser tests of the detector coverage tool (探测器覆盖) against the built
// binary's demo plant, where all 40 gas release sources are covered by the
// GB/T 50493-2019 distances and 137 detector circles are drawn (8 sources
// in the tank-farm dike, AR-TANK-DIKE): the panel's totals and rows and the
// map's circles and markers follow GET /api/v1/detectors/coverage for the
// whole site and for an area; a click on a detector selects it; an
// uncovered source (fed through showReport, the demo has none) is listed
// first with what it lacks and drawn red, pulsing and labelled, in Chinese
// and English; unticking the box or closing the tool clears the map.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, openViewer, outDir, sleep, until } from "./harness.mjs";

const RED = "#ff3b30", GREEN = "#30d158"; // coverage.js UNCOVERED (palette.js RISK.red), COVERED
const TANKS = "AR-TANK-DIKE";

let server, view, page;

before(async () => {
  server = await startServer();
  view = await openViewer(server);
  page = view.page;
});

after(async () => {
  await view?.browser.close();
  await server?.stop();
});

// drawn is what the map shows (coverage.js drawnCoverage).
const drawn = () => page.evaluate(async () => (await import("/js/coverage.js")).drawnCoverage());
const report = (area) => page.evaluate((q) => fetch("/api/v1/detectors/coverage" + q).then((r) => r.json()), area ? "?area=" + area : "");
const totals = () => page.locator("#coverage-totals .cov-total").evaluateAll((els) =>
  Object.fromEntries(els.map((e) => [e.dataset.total, e.querySelector("b").textContent])));

async function openPanel() {
  if ((await page.locator("#tool-coverage").getAttribute("aria-pressed")) !== "true") await page.click("#tool-coverage");
  await page.locator("#coverage-panel").waitFor({ state: "visible", timeout: 5000 });
}

// matches waits until the panel's totals and the map show api.
async function matches(api, area) {
  const want = { sources: String(api.sources.length), covered: String(api.sources.filter((s) => s.covered).length), uncovered: String(api.uncovered.length) };
  await until(async () => JSON.stringify(await totals()) === JSON.stringify(want), 10000,
    async () => `totals ${JSON.stringify(await totals())}, the API's ${JSON.stringify(want)}`);
  const d = await until(async () => {
    const d = await drawn();
    return d.area === area && d.circles === api.circles.length && d.sources === api.sources.length && d;
  }, 10000, async () => `drawn ${JSON.stringify(await drawn())}, the API has ${api.circles.length} circles and ${api.sources.length} sources`);
  assert.equal(d.combustible, api.circles.filter((c) => c.gas === "combustible").length);
  assert.equal(d.toxic, api.circles.filter((c) => c.gas === "toxic").length);
  assert.deepEqual(d.uncovered, api.uncovered);
  return d;
}

test("the totals, rows and drawing follow the API for the site and for an area", async () => {
  await openPanel();
  assert.equal(await page.locator("#tool-coverage").textContent(), "探测器覆盖");
  assert.equal(await page.locator("#coverage-panel h2").textContent(), "探测器覆盖");
  assert.match(await page.locator("#coverage-panel .dock-note").first().textContent(), /GB\/T 50493-2019/);
  assert.equal(await page.locator("#coverage-area").inputValue(), "", "the whole site is not the default");
  assert.equal(await page.locator("#coverage-area option").first().textContent(), "全厂");
  assert.ok(await page.locator("#coverage-show").isChecked(), "show on map is not on by default");

  const all = await report();
  assert.equal(all.sources.length, 40, "the demo's release sources");
  assert.deepEqual(all.uncovered, [], "the demo's uncovered sources");
  assert.equal(all.circles.length, 137, "the demo's detector circles");
  const d = await matches(all, "");
  assert.ok(d.markers.every((m) => m.covered && m.colour === GREEN), `markers: ${JSON.stringify(d.markers.slice(0, 3))}`);
  assert.deepEqual(d.labels, [], "a covered source is labelled");
  assert.equal(d.pulsing, false);

  // the rows: none uncovered, every covered one listing its detectors with distances
  assert.ok(await page.locator("#coverage-all-covered").isVisible());
  assert.equal(await page.locator("#coverage-all-covered").textContent(), "全部释放源均在探测器覆盖范围内");
  assert.equal(await page.locator("#coverage-uncovered li").count(), 0);
  assert.equal(await page.locator("#coverage-covered-list > li").count(), 40);
  assert.match(await page.locator("#coverage-covered summary").textContent(), /^已覆盖的释放源 \(40\)$/);
  const src = all.sources.find((s) => s.id === "CL-101"); // chlorine in the dosing house: enclosed, toxic within 2 m
  assert.ok(src, "CL-101 is not a source");
  await page.locator("#coverage-covered summary").click();
  const row = page.locator('#coverage-covered-list li[data-source-id="CL-101"]');
  await row.waitFor({ state: "visible", timeout: 5000 });
  assert.match(await row.locator(".cov-source-name").textContent(), /\(CL-101\)$/);
  assert.equal(await row.locator(".cov-substance").textContent(), "氯");
  assert.match(await row.locator(".cov-place").textContent(), /^封闭厂房 · .+ 1 层$/);
  assert.equal(await row.locator(".cov-req-head").textContent(), "有毒气体探测器（2 m 内）：");
  const hits = await row.locator(".cov-hit").evaluateAll((els) => els.map((e) => [e.querySelector("button").textContent, e.querySelector("small").textContent]));
  assert.deepEqual(hits, src.required[0].detectors.map((x) => [x.detector_id, `${x.distance_m.toFixed(1)} m`]));

  // a click on a detector selects it (the info panel) and flies there
  const det = src.required[0].detectors[0].detector_id;
  await row.locator(`.cov-detector[data-entity="${det}"]`).click();
  await page.locator("#info-panel").waitFor({ state: "visible", timeout: 5000 });
  await until(() => page.evaluate(async () => (await import("/js/state.js")).state.selected), 3000, "nothing selected");
  assert.equal(await page.evaluate(async () => (await import("/js/state.js")).state.selected), det);
  assert.equal(await row.locator(`.cov-detector[data-entity="${det}"]`).getAttribute("aria-current"), "true");
  await page.screenshot({ path: join(outDir, "viewer-coverage.png") });

  // unticked, the map is cleared; ticked again, redrawn
  await page.locator("#coverage-show").uncheck();
  await until(async () => (await drawn()).circles === 0 && (await drawn()).sources === 0, 3000, "the drawing stayed unticked");
  await page.locator("#coverage-show").check();
  await matches(all, "");

  // the tank farm's dike
  await page.locator("#coverage-area").selectOption(TANKS);
  const tanks = await report(TANKS);
  assert.equal(tanks.sources.length, 8, "the tank farm's release sources");
  await matches(tanks, TANKS);
  assert.equal(await page.locator("#coverage-covered-list > li").count(), 8);
  const ids = await page.locator("#coverage-covered-list > li").evaluateAll((els) => els.map((e) => e.dataset.sourceId));
  assert.deepEqual(ids, tanks.sources.map((s) => s.id));
});

test("an uncovered source is listed first and drawn red, in Chinese and English", async () => {
  await openPanel();
  await page.locator("#coverage-area").selectOption("");
  const rep = await report();
  await matches(rep, "");
  // C-301 (outdoor, carbon monoxide: toxic within 4 m) loses its detectors;
  // PK-201 gets a substance the library does not know
  const bad = rep.sources.find((s) => s.id === "C-301");
  assert.ok(bad && bad.environment === "outdoor" && bad.required.length === 1 && bad.required[0].gas === "toxic", `C-301: ${JSON.stringify(bad)}`);
  Object.assign(bad, { covered: false, required: [{ ...bad.required[0], detectors: [], covered: false }] });
  const odd = rep.sources.find((s) => s.id !== "C-301" && s.kind === "equipment" && s.environment === "outdoor");
  Object.assign(odd, { covered: false, substance: "unobtainium", required: [], problem: 'substance "unobtainium" is not in the library: coverage cannot be checked', problem_code: "unknown_substance" });
  rep.uncovered = [bad.id, odd.id].sort();
  await page.evaluate(async (r) => (await import("/js/coverage.js")).showReport(r), rep);

  assert.deepEqual(await totals(), { sources: "40", covered: "38", uncovered: "2" });
  assert.equal(await page.locator("#coverage-all-covered").isVisible(), false);
  assert.match(await page.locator("#coverage-panel h3").first().textContent(), /^未覆盖的释放源 \(2\)$/);
  assert.deepEqual(await page.locator("#coverage-uncovered > li").evaluateAll((els) => els.map((e) => e.dataset.sourceId)), rep.uncovered);
  const row = page.locator('#coverage-uncovered li[data-source-id="C-301"]');
  assert.match(await row.locator(".cov-source-name").textContent(), /^合成气压缩机 \(C-301\)$/);
  assert.equal(await row.locator(".cov-substance").textContent(), "一氧化碳");
  assert.equal(await row.locator(".cov-place").textContent(), "室外");
  assert.equal(await row.locator(".cov-lack").textContent(), "无 4 m 内有毒气体探测器");
  const oddRow = page.locator(`#coverage-uncovered li[data-source-id="${odd.id}"]`);
  assert.equal(await oddRow.locator(".cov-problem").textContent(), "介质“unobtainium”不在物质库中，无法检查覆盖");
  assert.equal(await page.locator("#coverage-covered-list > li").count(), 38);

  let d = await drawn();
  assert.equal(d.circles, rep.circles.length);
  assert.equal(d.sources, 40);
  assert.deepEqual(d.uncovered, rep.uncovered);
  const red = d.markers.find((m) => m.id === "C-301"), green = d.markers.find((m) => m.covered);
  assert.equal(red.colour, RED);
  assert.equal(red.covered, false);
  assert.ok(red.size > green.size, `uncovered marker ${red.size} px, covered ${green.size} px`);
  assert.ok(d.pulsing, "the uncovered marker does not pulse");
  assert.ok(d.labels.includes("合成气压缩机 (C-301)\n无 4 m 内有毒气体探测器"), `labels: ${JSON.stringify(d.labels)}`);
  assert.equal(d.labels.length, 2);
  await page.screenshot({ path: join(outDir, "viewer-coverage-uncovered.png") });

  // English, and back
  await page.click("#lang-toggle");
  await page.waitForFunction(() => document.querySelector("#coverage-panel h2").textContent === "Detector coverage", null, { timeout: 5000 });
  assert.equal(await page.locator("#tool-coverage").textContent(), "Detector coverage");
  assert.equal(await row.locator(".cov-lack").textContent(), "no toxic detector within 4 m");
  assert.equal(await row.locator(".cov-substance").textContent(), "Carbon monoxide");
  assert.equal(await row.locator(".cov-place").textContent(), "outdoors");
  assert.match(await oddRow.locator(".cov-problem").textContent(), /^Substance "unobtainium" is not in the library/);
  assert.equal(await page.locator("#coverage-area option").first().textContent(), "Whole site");
  assert.equal(await page.locator('#coverage-totals [data-total="uncovered"] span').textContent(), "uncovered");
  assert.match(await page.locator("#coverage-covered summary").textContent(), /^Covered release sources \(38\)$/);
  const panelText = await page.locator("#coverage-panel").evaluate((el) => [...el.querySelectorAll("h2, h3, summary, .dock-note, .cov-total span, .cov-legend, .cov-lack, .cov-req-head, .cov-show")].map((e) => e.textContent).join("\n"));
  assert.ok(!/[\u4e00-\u9fff]/.test(panelText), `Chinese left in English: ${panelText}`);
  d = await drawn();
  assert.ok(d.labels.some((l) => /\(C-301\)\nno toxic detector within 4 m$/.test(l)), `labels: ${JSON.stringify(d.labels)}`);
  assert.equal(d.circles, rep.circles.length, "a language switch lost the circles");
  await page.click("#lang-toggle");
  await page.waitForFunction(() => document.querySelector("#coverage-panel h2").textContent === "探测器覆盖", null, { timeout: 5000 });
  assert.equal(await row.locator(".cov-lack").textContent(), "无 4 m 内有毒气体探测器");
  assert.ok((await drawn()).labels.includes("合成气压缩机 (C-301)\n无 4 m 内有毒气体探测器"));
});

test("closing the tool clears the drawing", async () => {
  await openPanel();
  assert.ok((await drawn()).circles > 0, "nothing drawn while open");
  await page.click("#tool-coverage");
  await page.locator("#coverage-panel").waitFor({ state: "hidden", timeout: 5000 });
  const d = await drawn();
  assert.deepEqual({ circles: d.circles, sources: d.sources, uncovered: d.uncovered, labels: d.labels, pulsing: d.pulsing },
    { circles: 0, sources: 0, uncovered: [], labels: [], pulsing: false });
  // reopened, the server's report is drawn again (all covered)
  await openPanel();
  await matches(await report(), "");
  await page.click("#tool-coverage");
  await until(async () => (await drawn()).circles === 0, 3000, "the drawing stayed after closing");
});

test("no outside requests and no console errors", async () => {
  assert.deepEqual(view.outside, [], "requests to hosts other than the chemtwin server");
  assert.deepEqual(view.errors, [], "console errors");
});
