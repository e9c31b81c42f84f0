// The handling clock as the staff pages show it: the time, and its colour against the budget
// (the counter screen and the board; the alert rules warn at the same share).

const AMBER_FROM = 0.8;  // of the handling budget (the alerts' handling_warning_share by default)

/** Seconds as "m:ss", or "h:mm:ss" from an hour on. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, "0");
  return `${h ? `${h}:` : ""}${mm}:${String(s % 60).padStart(2, "0")}`;
}

/** "ok" below 80% of the budget, "warn" from 80%, "over" past 100%. */
export function timerLevel(elapsed, limit) {
  if (!limit) return "ok";
  if (elapsed > limit) return "over";
  return elapsed >= AMBER_FROM * limit ? "warn" : "ok";
}
