// The tool dock over the map (#dock): a bar of tool buttons (统计,
// 轨迹回放, 绘制围栏) and one floating panel per tool, at most one open at
// a time. Tools register with addTool; a tool may be offered only to some
// users (visible()), re-checked on every "user" event.
import { on } from "./state.js";
import { t } from "./i18n.js";
import { h } from "./dom.js";

const tools = new Map(); // id → {button, panel, opts}
let bar = null;
let host = null;
let openId = null;

export function initDock() {
  const dock = document.getElementById("dock");
  bar = h("div", { id: "dock-bar", role: "toolbar" });
  host = h("div", { id: "dock-panels" });
  dock.append(bar, host);
  on("lang", () => { for (const [id, tool] of tools) label(id, tool); });
  on("user", () => { for (const [id, tool] of tools) sync(id, tool); });
}

// addTool adds a tool button and its panel. opts: labelKey (i18n key of
// the button and the panel's title), visible() (default always),
// onOpen(), onClose(). It returns the panel element to fill.
export function addTool(id, opts) {
  const button = h("button", { type: "button", id: `tool-${id}`, "aria-pressed": "false", "aria-controls": `${id}-panel`, onclick: () => toggle(id) });
  const panel = h("section", { id: `${id}-panel`, class: "dock-panel", hidden: true });
  const tool = { button, panel, opts };
  tools.set(id, tool);
  bar.append(button);
  host.append(panel);
  label(id, tool);
  sync(id, tool);
  return panel;
}

// toggle opens tool id (closing any other), or closes it when open.
export function toggle(id, open = openId !== id) {
  if (openId && (open || openId === id)) close(openId);
  if (open) {
    const tool = tools.get(id);
    if (!tool || tool.button.hidden) return;
    openId = id;
    tool.panel.hidden = false;
    tool.button.setAttribute("aria-pressed", "true");
    if (tool.opts.onOpen) tool.opts.onOpen();
  }
}

// isOpen reports whether tool id's panel shows.
export const isOpen = (id) => openId === id;

function close(id) {
  const tool = tools.get(id);
  openId = null;
  tool.panel.hidden = true;
  tool.button.setAttribute("aria-pressed", "false");
  if (tool.opts.onClose) tool.opts.onClose();
}

function label(id, tool) {
  tool.button.textContent = t(tool.opts.labelKey);
}

function sync(id, tool) {
  const visible = !tool.opts.visible || tool.opts.visible();
  tool.button.hidden = !visible;
  if (!visible && openId === id) close(id);
}
