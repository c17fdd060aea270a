// A task on the phone: the plant map with the route's points coloured by
// status, my live position and the next point's radius; the next due
// point with its distance and direction from me; the points in route
// order (a tap opens the check-in).
import { h, fill } from "./dom.js";
import { t, label } from "./i18n.js";
import { state, findTask, counts, clock, nextPoint } from "./state.js";
import { loading, failure, toward, fixAge } from "./ui.js";
import * as position from "./position.js";
import * as plantMap from "./map.js";

const pointHref = (task, p) => `#/task/${encodeURIComponent(task.id)}/point/${encodeURIComponent(p.point)}`;

// showTask renders task id into el; it returns the screen's cleanup.
export function showTask(el, taskId, onAuthLost) {
  let task = null, stopped = false, unlisten = null;
  const mapHost = h("div.map-host");
  const next = h("section#next-point", { "aria-live": "polite" });
  const list = h("ol#points");
  const head = h("div.head");
  const listTitle = h("h3.list-title", {}, t("task.points"));
  fill(el, head, mapHost, next, listTitle, list);
  if (!plantMap.mount(mapHost)) mapHost.replaceWith(h("p.failure", {}, t("map.none")));
  else if (state.site) plantMap.setSite(state.site);
  plantMap.refit();

  const load = async () => {
    fill(next, loading());
    try {
      task = await findTask(taskId, true);
    } catch (err) {
      if (err.status === 401) return onAuthLost();
      fill(next, failure(err, load));
      return;
    }
    if (stopped) return;
    if (!task) {
      fill(next, failure({ code: "not_in_task", message: taskId }, load));
      return;
    }
    draw();
  };

  const draw = () => {
    const c = counts(task);
    fill(head,
      h("a.back", { href: "#/" }, t("task.back")),
      h("h2", {}, label(task, "route_name", "route_name_en") || task.route),
      h("p.sub", {}, t("task.window", { start: clock(task.start), end: clock(task.end) }), " · ",
        h("span.task-status.st-" + task.status, {}, t("task.status." + task.status)), " · ",
        h("b#task-progress", {}, t("task.progress", c)),
        c.late ? h("span.late", {}, " " + t("task.late", { n: c.late })) : null,
        c.missed ? h("span.missed", {}, " " + t("task.missed", { n: c.missed })) : null,
        task.sequence ? h("span.seq", {}, " · " + t("task.sequence")) : null));
    const np = nextPoint(task);
    plantMap.showTask(task, task.points, np, (p) => { if (task.status === "open" && p.status === "due") location.hash = pointHref(task, p); });
    position.setTarget(np);
    fill(list, task.points.map((p, i) => h("li.point-row", { dataset: { point: p.point, status: p.status } },
      h("span.pin.s-" + p.status + (np && p.point === np.point ? ".next" : ""), {}, String(i + 1)),
      h("span.point-name", {}, label(p)),
      h("span.point-status", {}, t("point.status." + p.status), p.at ? " " + clock(p.at) : ""),
      task.status === "open" && p.status === "due" ? h("a.go", { href: pointHref(task, p) }, t("task.go")) : null)));
    drawNext(position.current());
  };

  const drawNext = (pos) => {
    plantMap.setMe(pos.pos);
    if (!task) return;
    const np = nextPoint(task);
    if (!np) {
      fill(next, h("p.done-note", {}, task.status === "open" ? t("task.allDone") : t("task.closed")));
      return;
    }
    fill(next,
      h("div.next-head", {}, h("span.label", {}, t("task.next")), fixAge(pos)),
      h("a.next-card", { href: pointHref(task, np), dataset: { point: np.point } },
        h("span.pin.s-due.next", {}, String(task.points.indexOf(np) + 1)),
        h("span.point-name", {}, label(np)),
        toward(pos.pos, np),
        h("span.go", {}, t("task.go") + " ›")));
  };

  unlisten = position.onChange(drawNext);
  load();
  return () => {
    stopped = true;
    unlisten();
  };
}
