// The kiosk page: screens, the hall's services and their state, taking a number, the
// appointment check-in, and the connection to the server.
//
// The services come from GET /api/v1/halls/{hall} and are read again when the live
// connection reports `service.switched`, or `ticket.issued` while a service has a daily cap
// (it may have been reached), after a reconnect, and every REFRESH_MS (opening hours pass
// without an event).
// While the server cannot be reached the page says so over everything and issues nothing.
// An appointment's QR code shown to the kiosk's camera (scan.js) checks it in as typing its
// code does.
import { api, ApiError } from "/static/js/api.js";
import { lang, pick, t } from "/static/js/i18n.js";
import { Live } from "/static/js/live.js";
import { answerLost, takeNumber } from "./issue.js";
import { Keypad } from "./keypad.js";
import { Scanner } from "./scan.js";

const REFRESH_MS = 30000;
const PROBE_MS = 1000;          // how often an offline kiosk tries the server
const EVENT_REFRESH_MS = 1000;  // at most one re-read of the hall per second from events
const BUSY_AFTER_MS = 250;      // a quick answer shows no spinner
const READ_TIMEOUT_MS = 4000;
const SCAN_SECONDS = 30;        // the camera gives up and the kiosk returns to the start
// the class a senior-mode customer's number gets (elderly customers use the green channel)
const ELDERLY_CLASS = "green";

const root = document.getElementById("kiosk");
const HALL = root.dataset.hall;
const PRINTER = root.dataset.printer;  // the printer of this kiosk's tickets, "" if none
const ZONE = root.dataset.timezone;
const LOCALE = lang() === "en" ? "en-GB" : "zh-CN";
const $ = (id) => document.getElementById(id);

const state = {
  hall: null,          // the last GET /halls/{hall}
  screen: "start",
  online: true,
  busy: false,
  printerFault: false,
};

// the appointment's QR code at the camera (startScan, scanned)
const scanScreen = root.querySelector('[data-screen="scan"]');
const scanner = new Scanner({
  video: $("scan-video"),
  hall: HALL,
  onCode: scanned,
  onReason: (reason) => {
    $("scan-status").textContent = reason === "other_hall" ? scanScreen.dataset.otherHall
      : scanScreen.dataset.notAppointment;
  },
});

const clockFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dateFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: ZONE, month: "long", day: "numeric", weekday: "long" });
const dayFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: ZONE, month: "long", day: "numeric" });

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The other language's name of an API {"zh", "en"} pair (bilingual signage). */
function pickOther(names) {
  return names ? (lang() === "en" ? names.zh : names.en) || "" : "";
}

// --- modes and screens ---------------------------------------------------------------

function elderly() {
  return document.body.classList.contains("kiosk--elderly");
}

function setElderly(on) {
  document.body.classList.toggle("kiosk--elderly", on);
  document.body.classList.toggle("kiosk--standard", !on);
  $("mode-switch").setAttribute("aria-pressed", String(on));
  const url = new URL(location.href);
  if (on) url.searchParams.set("elder", "1");
  else url.searchParams.delete("elder");
  history.replaceState(null, "", url);
}

/** Seconds of the ticket screen ("ticket") or of an untouched screen ("idle") in this mode. */
function seconds(kind) {
  return Number(root.dataset[elderly() ? `${kind}SecondsElderly` : `${kind}Seconds`]);
}

function show(screen) {
  state.screen = screen;
  for (const section of root.querySelectorAll("[data-screen]")) section.hidden = section.dataset.screen !== screen;
  stopCountdown();
  if (screen !== "scan") scanner.stop();
  restartIdle();
}

let idleTimer = null;

/** Any screen left untouched goes back to the start; the start screen itself goes back to
 * Chinese and the standard mode, ready for the next customer. */
function restartIdle() {
  clearTimeout(idleTimer);
  if (state.screen === "ticket" || (state.screen === "start" && lang() === "zh" && !elderly())) return;
  idleTimer = setTimeout(nextCustomer, seconds("idle") * 1000);
}

/** Ready for the next customer: the start screen, in Chinese, in the standard mode. */
function nextCustomer() {
  stopCountdown();
  if (lang() !== "zh" && state.online) {
    location.replace(`${location.pathname}?lang=zh`);
    return;
  }
  setElderly(false);
  show("start");
}

function switchLanguage(target) {
  const query = new URLSearchParams({ lang: target });
  if (elderly()) query.set("elder", "1");
  location.assign(`${location.pathname}?${query}`);
}

// --- the hall and its services -------------------------------------------------------

const STOP_REASONS = {
  hall_closed: "Outside opening hours",
  service_stopped: "Issuing stopped",
  daily_cap_reached: "All numbers for today are taken",
};

function stopReason(service) {
  if (state.hall.open === false) return "hall_closed";
  if (service.issuing === false) return service.stop_reason || "service_stopped";
  return null;
}

function hoursText(today) {
  return today ? t("Today's hours: %(opens)s–%(closes)s", today) : t("Closed today");
}

function priorityClass(code) {
  return state.hall?.priority_classes.find((p) => p.code === code);
}

function serviceButton(service, priority) {
  const button = element("button", "k-service");
  button.type = "button";
  button.dataset.service = service.code;
  const body = element("span", "k-service-body");
  body.append(element("span", "k-service-name", pick(service.name)));
  body.append(element("span", "k-service-other", pickOther(service.name)));
  const reason = stopReason(service);
  const description = pick(service.description);
  if (reason) {  // the reason takes the description's place
    button.disabled = true;
    button.classList.add("is-stopped");
    body.append(element("span", "k-service-state", t(STOP_REASONS[reason] || STOP_REASONS.service_stopped)));
  } else if (description) {
    body.append(element("span", "k-service-description", description));
  }
  button.append(element("span", "k-service-prefix num", service.prefix), body);
  button.addEventListener("click", () => {
    if (button.closest("[data-screen]").dataset.screen !== state.screen) return; // a screen already left
    issue({ service: service.code, priority: classFor(priority) }, button);
  });
  return button;
}

/** The class a touch on a service issues: senior mode sends the customer to the green channel. */
function classFor(priority) {
  return priority === "normal" && elderly() && priorityClass(ELDERLY_CLASS) ? ELDERLY_CLASS : priority;
}

let rendered = null;

/** Show the hall's services. The buttons are made again only when what they show changed:
 * a button replaced under a finger would lose its touch. */
function render() {
  const hall = state.hall;
  const shown = JSON.stringify(hall.services.map((s) => [s.code, s.prefix, s.name, s.description, stopReason(s)]));
  if (shown !== rendered) {
    rendered = shown;
    for (const list of [$("services"), $("green-services")]) {
      list.replaceChildren(...hall.services.map((service) => serviceButton(service, list.dataset.priority)));
      list.dataset.count = String(hall.services.length);
    }
  }
  root.querySelector('[data-go="green"]').hidden = !priorityClass("green");
  $("closed").hidden = hall.open !== false;
  $("closed-hours").textContent = `${hoursText(hall.today)} · ${t("Numbers are issued during opening hours only.")}`;
  $("hours").textContent = hall.today !== undefined ? hoursText(hall.today) : "";
}

let refreshing = null;
let refreshAgain = false;

/** Read the hall again (one request at a time); it also tells whether the server is there. */
function refreshHall() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      state.hall = await api("GET", `/halls/${encodeURIComponent(HALL)}`, undefined, { timeoutMs: READ_TIMEOUT_MS });
      render();
      setOnline(true);
    } catch (error) {
      failed(error);
    } finally {
      refreshing = null;
      if (refreshAgain) {
        refreshAgain = false;
        refreshHall();
      }
    }
  })();
  return refreshing;
}

let eventRefresh = null;

function refreshSoon() {
  eventRefresh ??= setTimeout(() => {
    eventRefresh = null;
    refreshHall();
  }, EVENT_REFRESH_MS);
}

// --- the connection ------------------------------------------------------------------

function setOnline(online) {
  if (state.online === online) return;
  state.online = online;
  $("offline").hidden = online;
}

/** What a failed request means for the page: the server is gone, or this kiosk is no more. */
function failed(error) {
  if (error instanceof ApiError && error.unreachable) setOnline(false);
  else if (error instanceof ApiError && error.status === 401) $("unpaired").hidden = false;
  else console.error("kiosk:", error);
}

// --- taking a number -----------------------------------------------------------------

/** Issue a ticket for `choice` and show it. `refused(error)` may handle a refusal itself
 * (returning true); otherwise the customer is told why. One touch at a time. */
async function issue(choice, pressed = null, refused = () => false) {
  if (state.busy || !state.online) return;
  state.busy = true;
  pressed?.classList.add("is-pressed");
  const spinner = setTimeout(() => { $("busy").hidden = false; }, BUSY_AFTER_MS);
  try {
    showTicket(await takeNumber(HALL, choice, { onLost: failed }));
  } catch (error) {
    if (!refused(error)) refusal(error);
  } finally {
    clearTimeout(spinner);
    $("busy").hidden = true;
    pressed?.classList.remove("is-pressed");
    state.busy = false;
    refreshHall();
  }
}

const REFUSALS = {
  service_stopped: ["Issuing stopped", "This service has just stopped issuing numbers."],
  daily_cap_reached: ["All numbers for today are taken", "Today's numbers for this service are all taken."],
  hall_closed: ["Outside opening hours", "The hall is closed now."],
};

function refusal(error) {
  if (error instanceof ApiError && error.status === 401) {
    failed(error);
    return;
  }
  const known = error instanceof ApiError ? REFUSALS[error.code] : undefined;
  if (known) {
    const more = error.code === "hall_closed" && state.hall ? hoursText(state.hall.today) : "";
    notice({ title: t(known[0]), text: t(known[1]), more });
  } else {
    console.error("kiosk: issuing failed", error);
    notice({ title: t("Sorry, no number could be issued"), text: t("Please ask the staff at the service desk for help.") });
  }
}

function notice({ title, text = "", more = "", actions = [] }) {
  $("notice-title").textContent = title;
  $("notice-text").textContent = text;
  $("notice-more").textContent = more;
  const buttons = [{ label: t("Back"), go: "start" }, ...actions].map(({ label, go, action }, i, all) => {
    const primary = i === all.length - 1 && all.length > 1;
    const button = element("button", `k-button ${primary ? "k-button--primary" : "k-button--quiet"}`, label);
    button.type = "button";
    if (go) button.dataset.go = go;
    if (action) button.addEventListener("click", action);
    return button;
  });
  $("notice-actions").replaceChildren(...buttons);
  show("notice");
}

// --- the ticket screen ---------------------------------------------------------------

function waitText(ticket) {
  if (ticket.ahead === 0) return t("You are next");
  if (ticket.estimated_wait_s === null || ticket.estimated_wait_s === undefined) return "—";
  return t("about %(n)s min", { n: Math.max(1, Math.round(ticket.estimated_wait_s / 60)) });
}

function showTicket(ticket) {
  const service = state.hall?.services.find((s) => s.code === ticket.service);
  $("ticket-number").textContent = ticket.number;
  $("ticket-service").textContent = service ? pick(service.name) : ticket.service;
  const special = ticket.priority !== "normal" ? priorityClass(ticket.priority) : null;
  const badge = $("ticket-class");
  badge.hidden = !special;
  badge.textContent = special ? pick(special.name) : "";
  badge.dataset.priority = ticket.priority;
  $("ticket-ahead").textContent = Number.isInteger(ticket.ahead)
    ? t(ticket.ahead === 1 ? "%(n)s person" : "%(n)s people", { n: ticket.ahead }) : "—";
  $("ticket-wait").textContent = waitText(ticket);
  const issued = new Date(ticket.issued_at);
  $("ticket-time").textContent = clockFormat.format(issued);
  $("ticket-time").dateTime = ticket.issued_at;
  const qr = $("ticket-qr");
  qr.hidden = !ticket.tracking_url;
  if (ticket.tracking_url) qr.src = `${ticket.tracking_url}/qr.svg`;
  showPrinter();
  show("ticket");
  startCountdown(seconds("ticket"));
}

function showPrinter() {
  $("ticket-fault").hidden = !state.printerFault;
  $("ticket-take").hidden = state.printerFault;
}

let countdown = null;

/** Back to the start after `total` seconds, counted down in `shown`. */
function startCountdown(total, shown = $("ticket-countdown")) {
  stopCountdown();
  let left = total;
  const tick = () => {
    if (left <= 0) {
      nextCustomer();
      return;
    }
    shown.textContent = t("Returning in %(n)s s", { n: left });
    left -= 1;
  };
  tick();
  countdown = setInterval(tick, 1000);
}

function stopCountdown() {
  clearInterval(countdown);
  countdown = null;
}

/** The status of this kiosk's printer (a `device.status` event's data): while it cannot
 * print, the ticket screen asks the customer to note the number instead. */
function printerStatus(data) {
  if (!data || data.kind !== "printer" || data.device !== PRINTER) return;
  state.printerFault = !data.online || data.paper === "out" || Boolean(data.cover_open) || Boolean(data.fault);
  showPrinter();
}

/** Read the printer's last status (at the start and after a reconnect). */
async function refreshPrinter() {
  if (!PRINTER) return;
  try {
    const printer = await api("GET", `/halls/${encodeURIComponent(HALL)}/printers/${encodeURIComponent(PRINTER)}`,
      undefined, { timeoutMs: READ_TIMEOUT_MS });
    printerStatus(printer.status);
  } catch (error) {
    failed(error);
  }
}

// --- appointments --------------------------------------------------------------------

const keypad = new Keypad({
  keys: $("keypad"),
  display: $("code"),
  alphabet: root.dataset.codeAlphabet,
  length: Number(root.dataset.codeLength),
  onChange: () => { $("code-message").textContent = ""; },
  onSubmit: (code) => checkIn(code),
});

function codeMessage(text) {
  $("code-message").textContent = text;
}

const APPOINTMENT_STATES = {
  checked_in: "This appointment has already been checked in.",
  cancelled: "This appointment was cancelled.",
};

async function checkIn(code) {
  if (state.busy || !state.online) return;
  if (!keypad.complete) {
    codeMessage(t("Please enter all %(n)s characters of the code.", { n: keypad.length }));
    return;
  }
  state.busy = true;
  let appointment;
  try {
    appointment = await api("GET", `/halls/${encodeURIComponent(HALL)}/appointments/${code}`, undefined,
      { timeoutMs: READ_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.code === "unknown_appointment")) {
      codeMessage(t("No appointment has this code. Please check it and try again."));
    } else if (answerLost(error) || error.status === 401) {
      failed(error);
    } else {
      refusal(error);
    }
    return;
  } finally {
    state.busy = false;
  }
  if (APPOINTMENT_STATES[appointment.status]) {
    codeMessage(t(APPOINTMENT_STATES[appointment.status]));
    return;
  }
  if (appointment.status === "missed") {
    outsideSlot(appointment);
    return;
  }
  await issue({ service: appointment.service, appointment: code }, $("check-in"), (error) => {
    if (!(error instanceof ApiError)) return false;
    if (error.code === "outside_slot") outsideSlot(appointment);
    else if (error.code === "appointment_used") codeMessage(t(APPOINTMENT_STATES.checked_in));
    else if (error.code === "appointment_cancelled") codeMessage(t(APPOINTMENT_STATES.cancelled));
    else if (error.code === "unknown_appointment") codeMessage(t("No appointment has this code. Please check it and try again."));
    else return false;
    return true;
  });
}

// --- the appointment's QR code at the camera -------------------------------------------

/** The camera, live and mirrored, for SCAN_SECONDS at most; one that cannot be opened
 * leaves the customer at the typed code with the reason. */
function startScan() {
  $("scan-status").textContent = "";
  show("scan");
  startCountdown(SCAN_SECONDS, $("scan-countdown"));
  scanner.start().catch((error) => {
    console.warn("kiosk: camera", error);
    if (state.screen !== "scan") return;
    keypad.clear();
    show("appointment");
    codeMessage(scanScreen.dataset.unavailable);
  });
}

/** This hall's appointment code was read: on the check-in screen, as if typed. */
function scanned(code) {
  keypad.clear();
  for (const char of code) keypad.type(char);
  show("appointment");
  checkIn(code);
}

/** Too early or too late: say when the slot is, and offer a normal number. */
function outsideSlot(appointment) {
  const service = state.hall?.services.find((s) => s.code === appointment.service);
  const start = new Date(appointment.slot_start);
  const until = new Date(appointment.check_in_until || appointment.slot_end);
  const early = Date.now() < until.getTime();
  const sameDay = dayFormat.format(start) === dayFormat.format(new Date());
  const slot = {
    service: service ? pick(service.name) : appointment.service,
    day: sameDay ? t("Today") : dayFormat.format(start),
    start: clockFormat.format(start),
    end: clockFormat.format(new Date(appointment.slot_end)),
    from: clockFormat.format(new Date(appointment.check_in_from || appointment.slot_start)),
    until: clockFormat.format(until),
  };
  notice({
    title: t(early ? "Too early for your appointment" : "Your appointment has passed"),
    text: early
      ? t("Your appointment: %(service)s, %(day)s %(start)s–%(end)s. Check-in opens at %(from)s.", slot)
      : t("Your appointment: %(service)s, %(day)s %(start)s–%(end)s. Check-in closed at %(until)s.", slot),
    more: t("You can take a normal number now and wait in line."),
    actions: [{
      label: t("Take a normal number"),
      action: (event) => issue({ service: appointment.service, priority: classFor("normal") }, event.currentTarget),
    }],
  });
}

// --- wiring --------------------------------------------------------------------------

root.addEventListener("click", (event) => {
  const target = event.target.closest("[data-go]");
  if (!target || state.busy) return;
  const go = target.dataset.go;
  if (go === "done") {
    nextCustomer();
  } else {
    if (go === "appointment") {
      keypad.clear();
      codeMessage("");
    }
    if (go === "scan") startScan();
    else show(go);
  }
});

$("check-in").addEventListener("click", () => checkIn(keypad.code));
$("scan-type").addEventListener("click", () => {
  keypad.clear();
  codeMessage("");
  show("appointment");
});
$("mode-switch").addEventListener("click", () => {
  if (state.busy) return;
  setElderly(!elderly());
  restartIdle();
});
for (const link of root.querySelectorAll(".k-lang-option")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    // never away from a number being issued, nor to a page that cannot load
    if (state.online && !state.busy && link.dataset.lang !== lang()) switchLanguage(link.dataset.lang);
  });
}

// a keyboard or a QR scanner: a code typed on the start screen opens the check-in
document.addEventListener("keydown", (event) => {
  if (state.busy || !state.online) return;
  if (state.screen === "start" && event.key.length === 1 && keypad.alphabet.includes(event.key.toUpperCase())) {
    keypad.clear();
    show("appointment");
  }
  if (state.screen === "appointment" && keypad.key(event)) event.preventDefault();
});
document.addEventListener("pointerdown", restartIdle, true);
document.addEventListener("contextmenu", (event) => event.preventDefault());

function tickClock() {
  const now = new Date();
  $("clock-time").textContent = clockFormat.format(now);
  $("clock-time").dateTime = now.toISOString();
  $("clock-date").textContent = dateFormat.format(now);
}

tickClock();
setInterval(tickClock, 1000);
setInterval(refreshHall, REFRESH_MS);
setInterval(() => { if (!state.online) refreshHall(); }, PROBE_MS);

new Live({
  hall: HALL,
  onEvent(evt) {
    if (evt.type === "service.switched") refreshHall();
    else if (evt.type === "ticket.issued" && state.hall?.services.some((s) => s.daily_cap)) refreshSoon();
    else if (evt.type === "device.status") printerStatus(evt.data);
  },
  onStatus(online) {  // back: read what the events may not say (opening hours passed, a new day)
    if (online) {
      refreshHall();
      refreshPrinter();
    } else {
      setOnline(false);
    }
  },
}).start();
refreshHall();
refreshPrinter();
