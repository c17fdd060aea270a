// h builds an element: h("button.primary#go", {type: "button", onclick}, "text", child…).
// Attributes starting with "on" are listeners, "dataset" an object of
// data-* values, others set as attributes (false/null skip them); children
// are nodes or strings (null skipped).
export function h(spec, attrs = {}, ...children) {
  const [, tag, rest] = spec.match(/^([a-z0-9-]+)(.*)$/i);
  const el = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === "#") el.id = part.slice(1);
    else el.classList.add(part.slice(1));
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "value") el.value = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

// fill replaces el's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// fmt rounds a number for display: whole metres and seconds, readings to
// what they carry (at most 3 decimals).
export const fmt = (n, digits = 0) => (Number.isFinite(n) ? String(Number(n.toFixed(digits))) : "–");
