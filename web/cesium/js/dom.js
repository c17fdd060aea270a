// Element building for the panels. Text always goes in as text nodes, never
// as HTML, so names and messages from the plant cannot inject markup.

// h creates an element. attrs: "class", "dataset" (an object), "on<event>"
// functions (listeners), true/false for boolean attributes, anything else
// as an attribute (null, undefined and false are left out). children:
// nodes, strings, numbers, arrays of them; null and false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) setAttr(el, key, value);
  append(el, children);
  return el;
}

function setAttr(el, key, value) {
  if (value === null || value === undefined || value === false) return;
  if (key === "class") el.className = value;
  else if (key === "dataset") Object.assign(el.dataset, value);
  else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
  else el.setAttribute(key, value === true ? "" : String(value));
}

// append adds children (as for h) to el.
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

// fill replaces el's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}
