// The manager's live board (templates/board.html, board.py).
//
// The services' queues and the counters come from the board (GET /halls/{hall}/board), taken
// again shortly after every queue or counter event (live.js); alert events are applied as they
// come, and a new critical alert sounds (Web Audio, no file) and is counted in
// document.body.dataset.alarms. The people each camera counts in its area stand beside the
// tickets waiting: a `crowd.estimate` event is applied as it comes, a camera's `device.status`
// fetches the board again. Today's figures (GET /halls/{hall}/board/day) fill the charts
// and the served counts; they are taken every minute and after visits finish. Timers, waits
// and the clock tick every second on the page's own clock between boards.
import * as echarts from "/vendor/echarts.esm.min.js";
import { api, ApiError } from "./api.js";
import { Live } from "./live.js";
import { lang, pick, t } from "./i18n.js";
import { clock, timerLevel } from "./handling.js";

const body = document.body;
const HALL = body.dataset.hall;
const TIMEZONE = body.dataset.timezone;
const LABELS = JSON.parse(body.dataset.labels);  // {state, severity, pause}: translated by board.py
const CAMERAS = JSON.parse(body.dataset.cameras);  // {area: {camera: names}, capacity: {camera: people}, critical_share}
const HALL_PATH = `/halls/${encodeURIComponent(HALL)}`;
const BOARD_DEBOUNCE_MS = 300;
const DAY_DEBOUNCE_MS = 2000;
const DAY_EVERY_MS = 60000;
// events that change a counter or the queue (as on the counter screen)
const QUEUE_EVENTS = /^(counter\.|ticket\.(issued|called|recalled|started|finished|no_show|transferred|cancelled|reinstated|expired)$)/;
const SEVERITY_RANK = { notice: 0, warning: 1, critical: 2 };
const PALETTE = ["#00706b", "#b45309", "#1d4ed8", "#9d174d", "#4d7c0f", "#6d28d9"];

const $ = (id) => document.getElementById(id);
const state = {
  hall: null,          // GET /halls/{hall}
  board: null,
  boardAt: 0,          // performance.now() when the board was taken
  day: null,           // GET /halls/{hall}/board/day
  alerts: new Map(),   // id -> the open alert
  audio: null,         // the AudioContext, once made
};
const cards = new Map();   // service code -> its card
const areas = new Map();   // camera name -> its area's card
const tiles = new Map();   // counter number -> its tile
const charts = {};

// ---- formatting ------------------------------------------------------------------------


const locale = () => (lang() === "en" ? "en-GB" : "zh-CN");
const hallTime = (options) => new Intl.DateTimeFormat(locale(), { timeZone: TIMEZONE, hourCycle: "h23", ...options });
const HOURS_MINUTES = hallTime({ hour: "2-digit", minute: "2-digit" });
const WEEKDAY = hallTime({ weekday: "short" });
const SECONDS_CLOCK = hallTime({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
const hhmm = (iso) => (iso ? HOURS_MINUTES.format(new Date(iso)) : "");
const percent = (share) => (share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`);
/** Seconds since the board was taken, on the page's clock. */
const drift = () => (performance.now() - state.boardAt) / 1000;

function field(root, name) {
  return root.querySelector(`[data-field="${name}"]`);
}

function say(text) {
  $("message").textContent = text;
}

// ---- services ----------------------------------------------------------------------------

function serviceCard(service) {
  if (!cards.has(service.code)) {
    const card = $("service-card").content.firstElementChild.cloneNode(true);
    card.dataset.service = service.code;
    card.querySelector(".service__name").textContent = pick(service.name);
    $("services").append(card);
    cards.set(service.code, card);
  }
  return cards.get(service.code);
}

function renderServices() {
  for (const service of state.hall.services) {
    const load = state.board.services.find((s) => s.code === service.code);
    if (!load) continue;
    const card = serviceCard(service);
    field(card, "waiting").textContent = String(load.waiting);
    card.dataset.waiting = String(load.waiting);
    field(card, "estimate").textContent = load.waiting ? clock(load.estimated_wait_s) : "—";
    // the board's open_counters counts every counter of the service while none is open (for
    // the estimate); the manager is told how many are open
    field(card, "open").textContent = String(load.staffing?.open ?? load.open_counters);
    const today = state.day?.services.find((s) => s.code === service.code);
    field(card, "compliance").textContent = percent(today?.compliance_today);
    renderStaffing(card, load.staffing);
  }
  tickServices();
}

function renderStaffing(card, staffing) {
  const advice = field(card, "advice");
  const text = staffing?.advice === "open" ? t("Counters to open: %(n)s", { n: staffing.more })
    : staffing?.advice === "pause" ? t("Counters that may pause: %(n)s", { n: staffing.open - staffing.needed }) : "";
  advice.hidden = !text;
  advice.textContent = text;
  advice.dataset.advice = staffing?.advice || "ok";
  const share = staffing?.share_past_warning;
  const figures = staffing ? [
    t("%(arrivals)s arrivals/h · mean handling %(handling)s · %(open)s open, %(needed)s needed", {
      arrivals: Math.round(staffing.arrivals_per_h * 10) / 10, handling: clock(staffing.mean_handling_s),
      open: staffing.open, needed: staffing.needed,
    }),
    share === null || share === undefined ? "" : t("%(share)s would wait past the warning time", { share: percent(share) }),
  ].filter(Boolean).join(" · ") : "";
  field(card, "staffing").textContent = figures;
  card.title = figures;
}

/** The longest waits, grown by the time since the board, against the service's thresholds. */
function tickServices() {
  for (const service of state.hall.services) {
    const load = state.board.services.find((s) => s.code === service.code);
    const card = cards.get(service.code);
    if (!load || !card) continue;
    const longest = load.waiting ? load.longest_wait_s + drift() : 0;
    field(card, "longest").textContent = load.waiting ? clock(longest) : "—";
    card.dataset.level = !load.waiting ? "ok" : longest >= service.waiting_critical_s ? "critical"
      : longest >= service.waiting_warning_s ? "warning" : "ok";
  }
}

// ---- people in the hall ------------------------------------------------------------------

function areaCard(crowd) {
  if (!areas.has(crowd.camera)) {
    const card = $("crowd-area").content.firstElementChild.cloneNode(true);
    card.dataset.camera = crowd.camera;
    card.querySelector(".crowd-area__name").textContent = pick(crowd.area);
    $("crowd-areas").append(card);
    areas.set(crowd.camera, card);
  }
  return areas.get(crowd.camera);
}

/** Each camera's area: its people now, red past its capacity as the alerts judge it, or why
 * there is no count; and the tickets waiting in the whole hall beside them. */
function renderCrowd() {
  if (!$("crowd-section")) return;
  $("tickets-waiting").textContent = String(state.board.services.reduce((sum, s) => sum + s.waiting, 0));
  for (const crowd of state.board.crowd) {
    const card = areaCard(crowd);
    const capacity = CAMERAS.capacity[crowd.camera];
    const people = crowd.people;
    card.dataset.online = String(crowd.online);
    card.dataset.people = people === null ? "" : String(people);
    card.dataset.level = people === null || !capacity ? "ok"
      : people > capacity * CAMERAS.critical_share ? "critical" : people > capacity ? "warning" : "ok";
    field(card, "people").textContent = people === null ? "—" : String(people);
    field(card, "state").textContent = !crowd.online ? t("Camera offline: people are not counted")
      : people === null ? t("No count yet") : t("Since %(time)s", { time: hhmm(crowd.at) });
  }
}

/** A camera's new estimate, as the event says (an offline camera's count is not shown). */
function applyEstimate(evt) {
  const crowd = state.board?.crowd.find((c) => c.camera === evt.data.camera);
  if (!crowd || !crowd.online) return;
  crowd.people = evt.data.people;
  crowd.at = evt.at;
  renderCrowd();
}

// ---- counters ----------------------------------------------------------------------------

function counterTile(counter) {
  if (!tiles.has(counter.number)) {
    const tile = $("counter-tile").content.firstElementChild.cloneNode(true);
    tile.dataset.counter = String(counter.number);
    tile.querySelector(".counter-tile__name").textContent = pick(counter.name);
    $("counters").append(tile);
    tiles.set(counter.number, tile);
  }
  return tiles.get(counter.number);
}

function renderCounters() {
  for (const counter of state.hall.counters) {
    const c = state.board.counters.find((b) => b.number === counter.number);
    if (!c) continue;
    const tile = counterTile(counter);
    const called = c.ticket?.status === "called" && !c.ticket.started_at;
    tile.dataset.state = called ? "called" : c.state;
    field(tile, "state").textContent = LABELS.state[c.state] || c.state;
    const clerk = c.clerk_name || c.clerk || "";
    field(tile, "clerk").textContent = clerk && c.clerk_badge
      ? `${clerk} · ${t("Staff no. %(badge)s", { badge: c.clerk_badge })}` : clerk;
    field(tile, "ticket").textContent = c.ticket?.number || "";
    const today = state.day?.counters.find((d) => d.number === counter.number);
    field(tile, "day").textContent = today ? [
      t("Served today %(n)s", { n: today.served_today }),
      today.mean_handling_today_s === null ? "" : t("Mean handling %(t)s", { t: clock(today.mean_handling_today_s) }),
    ].filter(Boolean).join(" · ") : "";
  }
  tickCounters();
}


function tickCounters() {
  for (const c of state.board.counters) {
    const tile = tiles.get(c.number);
    if (!tile) continue;
    const timer = field(tile, "timer");
    const elapsed = c.elapsed_s === null || c.elapsed_s === undefined ? null : c.elapsed_s + drift();
    let text = "";
    let level = "";
    if (c.ticket && elapsed !== null) {
      if (c.ticket.started_at) {
        level = timerLevel(elapsed, c.limit_s);
        text = clock(elapsed);
        if (c.limit_s) {
          text += ` · ${level === "over" ? t("Over time by %(t)s", { t: clock(elapsed - c.limit_s) })
            : t("Budget %(t)s", { t: clock(c.limit_s) })}`;
        }
      } else {
        text = t("Called: %(t)s", { t: clock(elapsed) });
      }
    } else if (c.state === "paused" && elapsed !== null) {
      text = t("%(reason)s for %(t)s", { reason: LABELS.pause[c.pause_reason] || c.pause_reason, t: clock(elapsed) });
    }
    timer.textContent = text;
    timer.dataset.level = level;
  }
}

// ---- alerts ------------------------------------------------------------------------------

/** Most severe first, then the newest. */
function alertOrder(a, b) {
  return (SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]) || b.raised_at.localeCompare(a.raised_at);
}

function alertItem(alert) {
  let item = $("alerts").querySelector(`[data-alert="${alert.id}"]`);
  if (!item) {
    item = $("alert-item").content.firstElementChild.cloneNode(true);
    item.dataset.alert = String(alert.id);
    field(item, "escalated").textContent = t("Escalated");
    field(item, "note-form").elements.text.placeholder = t("Add a note…");
    field(item, "note-form").elements.text.setAttribute("aria-label", t("Add a note…"));
    field(item, "note-button").textContent = t("Add note");
    item.querySelector('[data-action="acknowledge"]').textContent = t("Acknowledge");
    item.querySelector('[data-action="resolve"]').textContent = t("Resolve");
    item.querySelector('[data-action="acknowledge"]').addEventListener("click", () => act(alert.id, "acknowledge"));
    item.querySelector('[data-action="resolve"]').addEventListener("click", () => act(alert.id, "resolve"));
    field(item, "note-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = event.target.elements.text;
      const text = input.value.trim();
      if (text) act(alert.id, "notes", { text }).then((done) => { if (done) input.value = ""; });
    });
  }
  item.dataset.severity = alert.severity;
  field(item, "severity").textContent = LABELS.severity[alert.severity] || alert.severity;
  field(item, "escalated").hidden = !alert.escalated;
  field(item, "raised").textContent = t("Raised %(time)s", { time: hhmm(alert.raised_at) });
  field(item, "raised").dateTime = alert.raised_at;
  field(item, "message").textContent = pick(alert.message);
  const ack = field(item, "ack");
  ack.hidden = !alert.acknowledged_at;
  ack.textContent = alert.acknowledged_at
    ? t("Acknowledged by %(who)s at %(time)s", { who: alert.acknowledged_by, time: hhmm(alert.acknowledged_at) }) : "";
  item.querySelector('[data-action="acknowledge"]').hidden = Boolean(alert.acknowledged_at);
  field(item, "notes").replaceChildren(...(alert.notes || []).map((note) => {
    const li = document.createElement("li");
    li.textContent = `${hhmm(note.at)} ${note.by}: ${note.text}`;
    return li;
  }));
  return item;
}

function renderAlerts() {
  const list = $("alerts");
  const sorted = [...state.alerts.values()].sort(alertOrder);
  const items = sorted.map(alertItem);
  for (const old of [...list.children]) {
    if (!items.includes(old)) old.remove();
  }
  // put the items in order, moving only those out of place (a moved item loses the focus)
  items.forEach((item, index) => {
    if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
  });
  $("alerts-count").textContent = String(sorted.length);
  $("alerts-none").hidden = sorted.length > 0;
  body.dataset.openAlerts = String(sorted.length);
}

/** An alert as an event or an action returned it: kept while open, dropped once resolved. */
function applyAlert(alert) {
  const before = state.alerts.get(alert.id);
  if (alert.resolved_at) state.alerts.delete(alert.id);
  else state.alerts.set(alert.id, alert);
  renderAlerts();
  return before;
}

async function act(id, action, payload = {}) {
  try {
    applyAlert(await api("POST", `/alerts/${encodeURIComponent(id)}/${action}`, payload));
    say("");
    return true;
  } catch (error) {
    say(t("Could not do that: %(message)s", { message: error instanceof ApiError ? error.message : String(error) }));
    return false;
  }
}

// ---- the alarm -------------------------------------------------------------------------

/** Two short tones; counted even where the browser keeps the sound off until a click. */
function alarm() {
  body.dataset.alarms = String(Number(body.dataset.alarms || 0) + 1);
  const audio = audioContext();
  if (audio.state !== "running") return;
  const start = audio.currentTime;
  for (const at of [0, 0.3]) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.type = "sine";
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, start + at);
    gain.gain.exponentialRampToValueAtTime(0.3, start + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.22);
    tone.connect(gain).connect(audio.destination);
    tone.start(start + at);
    tone.stop(start + at + 0.25);
  }
}

function audioContext() {
  if (!state.audio) {
    state.audio = new AudioContext();
    state.audio.onstatechange = renderSound;
    renderSound();
  }
  return state.audio;
}

function renderSound() {
  const on = state.audio?.state === "running";
  $("sound").textContent = on ? t("Sound on") : t("Sound off: click to turn on");
  $("sound").setAttribute("aria-pressed", String(on));
}

// ---- charts ----------------------------------------------------------------------------

function colour(index) {
  const brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim();
  return index === 0 && brand ? brand : PALETTE[index % PALETTE.length];
}

const AXIS_TEXT = { fontSize: 13, color: "#4b5563" };
const CHART_BASE = {
  animation: false,
  grid: { left: 40, right: 16, top: 36, bottom: 28 },
  legend: { type: "scroll", top: 0, textStyle: { fontSize: 13 } },
  tooltip: { trigger: "axis" },
  yAxis: { type: "value", minInterval: 1, axisLabel: AXIS_TEXT },
};

function renderCharts() {
  const day = state.day;
  if (!day) return;
  const services = state.hall.services.map((service, index) => ({
    name: pick(service.name), colour: colour(index), figures: day.services.find((s) => s.code === service.code),
  })).filter((s) => s.figures);
  const ends = day.slots.map((start, i) => hhmm(i === day.slots.length - 1 ? day.at
    : new Date(Date.parse(start) + day.slot_s * 1000).toISOString()));
  charts.waiting.setOption({
    ...CHART_BASE,
    xAxis: { type: "category", data: ends, boundaryGap: false, axisLabel: AXIS_TEXT },
    series: services.map((s) => ({
      name: s.name, type: "line", step: "end", symbol: "none", data: s.figures.waiting,
      lineStyle: { width: 3 }, itemStyle: { color: s.colour },
    })),
  }, { notMerge: true });
  const arrivals = t("Arrivals");
  const served = t("Served");
  charts.flow.setOption({
    ...CHART_BASE,
    tooltip: {
      trigger: "axis",
      formatter: (params) => [params[0]?.axisValue, ...services.map((s) => {
        const of = (id) => params.find((p) => p.seriesId === `${id}:${s.name}`)?.value ?? 0;
        return `${s.name}: ${arrivals} ${of("arrivals")} · ${served} ${of("served")}`;
      })].join("<br>"),
    },
    xAxis: { type: "category", data: day.slots.map(hhmm), axisLabel: AXIS_TEXT },
    series: services.flatMap((s) => [
      { id: `arrivals:${s.name}`, name: s.name, type: "bar", stack: "arrivals", data: s.figures.arrivals,
        itemStyle: { color: s.colour } },
      { id: `served:${s.name}`, name: s.name, type: "bar", stack: "served", data: s.figures.served,
        itemStyle: { color: s.colour, opacity: 0.45, borderColor: s.colour, borderWidth: 1 } },
    ]),
  }, { notMerge: true });
  if (charts.crowd) renderCrowdChart(ends);
}

/** Per camera the people in its area at the end of each slot, beside the tickets waiting in
 * the whole hall then (the sum of the services' waiting). */
function renderCrowdChart(ends) {
  const day = state.day;
  const waiting = day.slots.map((_slot, i) => day.services.reduce((sum, s) => sum + s.waiting[i], 0));
  charts.crowd.setOption({
    ...CHART_BASE,
    xAxis: { type: "category", data: ends, boundaryGap: false, axisLabel: AXIS_TEXT },
    series: [
      { name: t("Tickets waiting"), type: "line", step: "end", symbol: "none", data: waiting,
        lineStyle: { width: 3, type: "dashed" }, itemStyle: { color: "#4b5563" } },
      ...day.crowd.map((c, index) => ({
        name: t("%(area)s (people)", { area: CAMERAS.area[c.camera] ? pick(CAMERAS.area[c.camera]) : c.camera }), type: "line", step: "end",
        symbol: "none", connectNulls: false, data: c.people, lineStyle: { width: 3 },
        itemStyle: { color: colour(index + 1) }, areaStyle: { opacity: 0.08 },
      })),
    ],
  }, { notMerge: true });
}

// ---- talking to the server -------------------------------------------------------------

async function loadBoard() {
  const board = await api("GET", `${HALL_PATH}/board`);
  state.board = board;
  state.boardAt = performance.now();
  state.alerts = new Map(board.alerts.map((alert) => [alert.id, alert]));
  renderServices();
  renderCounters();
  renderAlerts();
  renderCrowd();
  body.dataset.boardSeq = String(board.last_seq);
  return board.last_seq;
}

async function loadDay() {
  state.day = await api("GET", `${HALL_PATH}/board/day`);
  renderCharts();
  if (state.board) {
    renderServices();
    renderCounters();
  }
  body.dataset.daySlots = String(state.day.slots.length);
}

function debounced(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => fn().catch((error) => console.warn("board:", error)), ms);
  };
}

const reloadBoardSoon = debounced(loadBoard, BOARD_DEBOUNCE_MS);
const reloadDaySoon = debounced(loadDay, DAY_DEBOUNCE_MS);

function onEvent(evt) {
  if (evt.type.startsWith("alert.")) {
    const before = applyAlert(evt.data);
    const critical = evt.data.severity === "critical" && !evt.data.resolved_at;
    if (critical && before?.severity !== "critical") alarm();
    return;
  }
  if (evt.type === "crowd.estimate") applyEstimate(evt);
  if (QUEUE_EVENTS.test(evt.type) || (evt.type === "device.status" && evt.data.kind === "camera")) reloadBoardSoon();
  if (evt.type === "ticket.finished") reloadDaySoon();
}

function tick() {
  const now = new Date();
  $("clock").textContent = `${WEEKDAY.format(now)} ${SECONDS_CLOCK.format(now)}`;
  if (state.board) {
    tickServices();
    tickCounters();
  }
}

// ---- start -----------------------------------------------------------------------------

async function main() {
  tick();
  $("live-state").textContent = t("Offline");
  renderSound();
  $("sound").addEventListener("click", () => audioContext().resume());
  charts.waiting = echarts.init($("chart-waiting"));
  charts.flow = echarts.init($("chart-flow"));
  if ($("chart-crowd")) charts.crowd = echarts.init($("chart-crowd"));
  window.addEventListener("resize", () => Object.values(charts).forEach((chart) => chart.resize()));
  state.hall = await api("GET", HALL_PATH);
  new Live({
    hall: HALL,
    onResync: loadBoard,
    onEvent,
    onStatus(online) {
      $("live-state").dataset.online = String(online);
      $("live-state").textContent = online ? t("Live") : t("Offline");
    },
  }).start();
  loadDay().catch((error) => console.warn("board: day", error));
  setInterval(tick, 1000);
  setInterval(() => loadDay().catch((error) => console.warn("board: day", error)), DAY_EVERY_MS);
}

main().catch((error) => say(t("Could not do that: %(message)s", { message: error.message })));
