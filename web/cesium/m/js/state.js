// What the screens share: who I am, the site (its time zone sets "today"
// and the clock), and today's tasks as last fetched.
import { tasks as fetchTasks } from "./api.js";

export const state = { user: null, site: null, tz: "Asia/Shanghai", tasks: null };

// today is the site's date, YYYY-MM-DD.
export function today() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: state.tz, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

// clock shows an RFC 3339 time as HH:MM in the site's zone.
export function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  return new Intl.DateTimeFormat("en-GB", { timeZone: state.tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
}

// loadTasks fetches today's tasks for me or my team into state.tasks.
export async function loadTasks() {
  const r = await fetchTasks(today());
  state.tasks = (r && Array.isArray(r.tasks) ? r.tasks : []).map((x) => ({ ...x, points: Array.isArray(x.points) ? x.points : [] }));
  return state.tasks;
}

// findTask returns task id from the last fetch, fetching when needed;
// fresh forces a fetch.
export async function findTask(id, fresh = false) {
  if (fresh || !state.tasks || !state.tasks.some((x) => x.id === id)) await loadTasks();
  return state.tasks.find((x) => x.id === id) || null;
}

// counts sums a task's points: checked (done or late), late, missed, total.
export function counts(task) {
  const c = { done: 0, late: 0, missed: 0, due: 0, total: task.points.length };
  for (const p of task.points) {
    if (p.status === "done" || p.status === "late") c.done++;
    if (p.status === "late") c.late++;
    if (p.status === "missed") c.missed++;
    if (p.status === "due") c.due++;
  }
  return c;
}

// nextPoint is the first due point in route order while the task is open.
export const nextPoint = (task) => (task.status === "open" ? task.points.find((p) => p.status === "due") || null : null);
