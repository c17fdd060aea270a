// Alarm tones, generated with WebAudio (no audio files): the #sound-toggle
// button switches them on and off and the choice is kept in localStorage.
// Browsers start audio only after a user gesture, so the AudioContext is
// created on the first click or key press; until then a remembered "on"
// shows as pending.
import { t } from "./i18n.js";

const KEY = "chemtwin.sound";
// Tone patterns per alarm level: [frequency Hz, start s, length s].
const PATTERNS = {
  2: [[660, 0, 0.18], [660, 0.3, 0.18]],
  3: [[988, 0, 0.16], [740, 0.2, 0.16], [988, 0.4, 0.16], [740, 0.6, 0.16]],
};
const CONFIRM = [[880, 0, 0.08]];

let enabled = false;
let audio = null; // AudioContext, created on a user gesture
let busyUntil = 0; // audio time until which a pattern is playing
let button = null;

export function initSound(el) {
  button = el;
  enabled = localStorage.getItem(KEY) === "on";
  button.addEventListener("click", toggle);
  const unlock = () => {
    if (enabled) startAudio();
    document.removeEventListener("pointerdown", unlock, true);
    document.removeEventListener("keydown", unlock, true);
  };
  document.addEventListener("pointerdown", unlock, true);
  document.addEventListener("keydown", unlock, true);
  renderSound();
}

// renderSound labels the toggle in the current language.
export function renderSound() {
  if (!button) return;
  const pending = enabled && (!audio || audio.state !== "running");
  button.textContent = t(enabled ? "sound.on" : "sound.off");
  button.title = t(pending ? "sound.gesture" : "sound.title");
  button.setAttribute("aria-pressed", String(enabled));
  button.classList.toggle("pending", pending);
}

function toggle() {
  enabled = !enabled;
  localStorage.setItem(KEY, enabled ? "on" : "off");
  if (enabled) startAudio().then(() => play(CONFIRM));
  renderSound();
}

// startAudio creates or resumes the AudioContext; call it from a gesture.
function startAudio() {
  if (!audio) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return Promise.resolve();
    audio = new Ctx();
    audio.addEventListener("statechange", renderSound);
  }
  return audio.resume().catch((err) => console.warn("chemtwin: audio blocked", err)).then(renderSound);
}

// alarmTone plays the tone for a new alarm of level (2 or 3; level 1 is
// silent). A tone already playing is not interrupted or stacked.
export function alarmTone(level) {
  const pattern = PATTERNS[Math.min(level, 3)];
  if (!enabled || !pattern || !audio || audio.state !== "running") return;
  if (audio.currentTime < busyUntil) return;
  play(pattern);
}

function play(pattern) {
  if (!audio || audio.state !== "running") return;
  const t0 = audio.currentTime + 0.02;
  for (const [freq, start, length] of pattern) beep(freq, t0 + start, length);
  const [, lastStart, lastLength] = pattern[pattern.length - 1];
  busyUntil = t0 + lastStart + lastLength + 0.4;
}

// beep schedules one tone with a short attack and release (no clicks).
function beep(freq, at, length) {
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = "square";
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0, at);
  gain.gain.linearRampToValueAtTime(0.12, at + 0.01);
  gain.gain.setValueAtTime(0.12, at + length - 0.02);
  gain.gain.linearRampToValueAtTime(0, at + length);
  osc.connect(gain).connect(audio.destination);
  osc.start(at);
  osc.stop(at + length + 0.01);
}
