// What both display pages share: their settings (display/views.py page_config), the hall's
// snapshot with the server's clock, the clock on screen, and a board refresh that runs at
// most once at a time (a burst of events costs one request).
import { api } from "/static/js/api.js";
import { lang, t } from "/static/js/i18n.js";

export const config = JSON.parse(document.getElementById("display-config").textContent);
export const hallPath = `/halls/${encodeURIComponent(config.hall)}`;

// the board is read back a moment after a change, so a call's own text comes first
const REFRESH_DELAY_MS = 1000;
let offsetMs = 0; // the server's clock minus this PC's, as of the last snapshot

/** The server's time now (a display PC's own clock may be off). */
export function serverNow() {
  return Date.now() + offsetMs;
}

export async function board() {
  const answer = await api("GET", `${hallPath}/board`);
  offsetMs = Date.parse(answer.at) - Date.now();
  return answer;
}

export function hall() {
  return api("GET", hallPath);
}

const locale = () => (lang() === "en" ? "en-GB" : "zh-CN");

/** "14:05" in the hall's timezone. */
export function hhmm(ms) {
  return new Intl.DateTimeFormat(locale(), { timeZone: config.timezone, hour: "2-digit", minute: "2-digit",
    hourCycle: "h23" }).format(ms);
}

/** The hall's calendar day of an instant, to tell today's calls from yesterday's. */
export function dayOf(ms) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: config.timezone }).format(ms);
}

export function startClock() {
  const time = document.getElementById("clock-time");
  const date = document.getElementById("clock-date");
  const dateFormat = new Intl.DateTimeFormat(locale(), { timeZone: config.timezone, month: "long", day: "numeric",
    weekday: "long" });
  const tick = () => {
    const now = serverNow();
    time.textContent = hhmm(now);
    time.dateTime = new Date(now).toISOString();
    if (date) date.textContent = dateFormat.format(now);
  };
  tick();
  setInterval(tick, 1000);
}

/** The pause's reason as customers read it, and when the counter is back if that is known. */
export function pauseText(reason, sinceMs) {
  const minutes = config.pause_back_min[reason];
  return {
    reason: t(config.pause_reasons[reason] || "Paused"),
    back: minutes && sinceMs ? t("Back at about %(time)s", { time: hhmm(sinceMs + minutes * 60000) }) : "",
  };
}

/** When a counter without a ticket entered its state, from the board (its elapsed_s). */
export function since(boardAnswer, counter) {
  return counter.elapsed_s === null ? null : Date.parse(boardAnswer.at) - counter.elapsed_s * 1000;
}

/** `refresh()` runs `load` soon; calls while it runs make it run once more afterwards. */
export function refresher(load) {
  let timer = null;
  let running = false;
  let again = false;
  const run = async () => {
    timer = null;
    if (running) { again = true; return; }
    running = true;
    try {
      await load();
    } catch (error) {
      console.warn("display: refresh failed", error);
    } finally {
      running = false;
      if (again) { again = false; schedule(); }
    }
  };
  const schedule = () => { if (!timer) timer = setTimeout(run, REFRESH_DELAY_MS); };
  return schedule;
}

/** Highlight `element` for `seconds` (from now, if it already is). */
export function highlight(element, seconds) {
  element.classList.add("is-new");
  clearTimeout(element.highlightTimer);
  element.highlightTimer = setTimeout(() => element.classList.remove("is-new"), seconds * 1000);
}

export const CALLS = new Set(["ticket.called", "ticket.recalled"]);
