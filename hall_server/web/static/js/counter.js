// The clerk's counter screen (templates/counter.html, counter.py).
//
// The counter's state and the queue come from the board (GET /halls/{hall}/board), taken
// again after every event of the hall (live.js); each button is a counter action of the API.
// Every action has a key (its <kbd>), read only while no dialog is open and no field has
// the focus, so the clerk works without a mouse.
import { api, ApiError } from "./api.js";
import { Live } from "./live.js";
import { pick, t } from "./i18n.js";
import { clock, timerLevel } from "./handling.js";

const body = document.body;
const HALL = body.dataset.hall;
const COUNTER = Number(body.dataset.counter);
const START_ON_CALL = body.dataset.startOnCall === "true";
const CLOSING_NOTICE_MIN = Number(body.dataset.closingNoticeMin);
const PATH = `/halls/${encodeURIComponent(HALL)}/counters/${COUNTER}`;
const BOARD_DEBOUNCE_MS = 200;
// events that change a counter or the queue (not e.g. ticket.printed, ticket.flagged)
const QUEUE_EVENTS = /^(counter\.|ticket\.(issued|called|recalled|started|finished|no_show|transferred|cancelled|reinstated|expired)$)/;
const APOLOGY_KEY = `counter-apology:${HALL}:${COUNTER}`;

const $ = (id) => document.getElementById(id);
const state = {
  hall: null,          // GET /halls/{hall}
  counter: null,       // this counter on the board
  board: null,
  boardAt: 0,          // performance.now() when the board was taken
  items: [],           // the business items of the ticket being served [{service, count}]
  itemsFor: null,      // the ticket id the items belong to
  began: null,         // {key: "ticket:status", at: performance.now() when its visit began}
  busy: false,
};

// ---- time and money of the visit -------------------------------------------------------


function limitOf(code) {
  return state.hall.services.find((s) => s.code === code)?.handling_limit_s ?? null;
}

function serviceName(code) {
  return pick(state.hall.services.find((s) => s.code === code)?.name) || code;
}

/** The handling budget of the items: the service's limit per item (DESIGN.md §1). */
function budget(items) {
  let total = 0;
  for (const item of items) {
    const limit = limitOf(item.service);
    if (limit === null) return null;
    total += limit * item.count;
  }
  return total;
}


/** Seconds handled so far. The board's elapsed_s sets when the visit began on the page's
 * clock, once per ticket and state, so later boards do not make the timer jump back and forth. */
function elapsedNow() {
  const c = state.counter;
  if (!c?.ticket || c.elapsed_s === null || c.elapsed_s === undefined) return 0;
  const key = `${c.ticket.id}:${c.ticket.status}`;
  if (state.began?.key !== key) state.began = { key, at: state.boardAt - c.elapsed_s * 1000 };
  return (performance.now() - state.began.at) / 1000;
}

function handling() {
  const ticket = state.counter?.ticket;
  return ticket && (ticket.status === "serving" || (START_ON_CALL && ticket.status === "called"));
}

// ---- rendering -------------------------------------------------------------------------

function render() {
  const c = state.counter;
  const ticket = c?.ticket || null;
  if (ticket && state.itemsFor !== ticket.id) {
    state.items = [{ service: ticket.service, count: 1 }];
    state.itemsFor = ticket.id;
  }
  const labels = { closed: t("Not signed in"), idle: t("Ready"), serving: t("Serving"),
    paused: t("Paused: %(reason)s", { reason: t(PAUSE_LABELS[c?.pause_reason] || "Other") }) };
  $("state").textContent = labels[c?.state || "closed"];
  $("state").dataset.state = c?.state || "closed";
  if (c?.clerk && c.clerk !== body.dataset.user) {
    $("state").textContent += ` · ${t("Signed in here: %(clerk)s", { clerk: c.clerk })}`;
  }
  $("number").textContent = ticket ? ticket.number : "—";
  $("number").classList.toggle("is-empty", !ticket);
  $("service").textContent = ticket ? serviceName(ticket.service) : "";
  $("current-title").textContent = !ticket ? t("No customer at the counter")
    : ticket.status === "called" ? t("Called, waiting for the customer") : t("Being served");
  $("items").replaceChildren(...(ticket ? state.items : []).map((item) => {
    const li = document.createElement("li");
    li.textContent = t("%(service)s × %(n)s", { service: serviceName(item.service), n: item.count });
    return li;
  }));
  if (!ticket) $("flags-sent").textContent = "";
  renderActions(c, ticket);
  renderQueue();
  renderApology(ticket);
  tick();
}

const PAUSE_LABELS = {
  break: "Short break", meal: "Meal", meeting: "Meeting", back_office: "Back-office work",
  handover: "Shift handover", other: "Other",
};

function renderActions(c, ticket) {
  const s = c?.state || "closed";
  const serving = ticket?.status === "serving" || (START_ON_CALL && ticket);
  const shown = {
    "sign-in": s === "closed",
    "call-next": s === "idle",
    recall: ticket?.status === "called",
    start: ticket?.status === "called" && !START_ON_CALL,
    "no-show": ticket?.status === "called",
    finish: Boolean(serving),
    "add-item": Boolean(serving),
    transfer: Boolean(serving),
    flag: Boolean(ticket),
    pause: s === "idle",
    resume: s === "paused",
    "sign-out": s === "idle" || s === "paused",
  };
  for (const button of document.querySelectorAll("[data-action]")) {
    button.hidden = !shown[button.dataset.action];
  }
}

function renderQueue() {
  const board = state.board;
  const mine = new Set(state.hall.counters.find((c) => c.number === COUNTER)?.services || []);
  const loads = board.services.filter((s) => mine.has(s.code));
  const waiting = loads.reduce((n, s) => n + s.waiting, 0);
  $("waiting").textContent = String(waiting);
  $("waiting").dataset.count = String(waiting);
  const longest = Math.max(0, ...loads.filter((s) => s.waiting).map((s) => s.longest_wait_s));
  $("next-wait").textContent = waiting
    ? t("%(n)s waiting", { n: waiting }) + " · " +
      t("the next has waited %(t)s", { t: clock(longest + (performance.now() - state.boardAt) / 1000) })
    : t("Nobody is waiting for this counter.");
  renderClosing(waiting);
}

function hallMinutesNow() {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: state.hall.timezone, hour: "2-digit",
    minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return get("hour") * 60 + get("minute");
}

/** From a little before closing: who still waits, to be served all the same (norm 4.1.13). */
function renderClosing(waiting) {
  const closes = state.hall.today?.closes;
  const banner = $("closing-banner");
  if (!closes || state.counter?.state === "closed") { banner.hidden = true; return; }
  const [h, m] = closes.split(":").map(Number);
  const now = hallMinutesNow();
  const opens = state.hall.today.opens.split(":").map(Number);
  const due = now >= h * 60 + m - CLOSING_NOTICE_MIN && now >= opens[0] * 60 + opens[1];
  banner.hidden = !due;
  banner.textContent = waiting
    ? t("Closing time %(closes)s: %(n)s customers are still waiting. Serve them all as usual.", { closes, n: waiting })
    : t("Closing time %(closes)s: nobody is waiting any more.", { closes });
  banner.dataset.waiting = String(waiting);
}

function renderApology(ticket) {
  const due = ticket && sessionStorage.getItem(APOLOGY_KEY) === "due";
  $("apology").hidden = !due;
  if (due) {
    $("apology-why").textContent = t("The last visit ran over its time. Apologise to this customer:");
    $("apology-phrase").textContent = `“${t("Hello, I am sorry to have kept you waiting. How may I help you?")}”`;
  }
}

function tick() {
  const on = Boolean(state.counter && handling());
  const timer = $("timer");
  timer.hidden = !on;
  if (!on) return;
  const elapsed = elapsedNow();
  const limit = budget(state.items);
  const level = timerLevel(elapsed, limit);
  timer.dataset.level = level;
  timer.className = `timer timer--${level}`;
  $("timer-clock").textContent = clock(elapsed);
  $("timer-budget").textContent = limit === null ? ""
    : level === "over" ? t("Over time by %(t)s", { t: clock(elapsed - limit) })
      : t("Budget %(t)s", { t: clock(limit) });
  $("timer-fill").style.width = limit ? `${Math.min(100, (100 * elapsed) / limit)}%` : "0";
}

function say(text, kind = "info") {
  const message = $("message");
  message.textContent = text;
  message.dataset.kind = kind;
}

// ---- talking to the server -------------------------------------------------------------

async function loadBoard() {
  const board = await api("GET", `/halls/${encodeURIComponent(HALL)}/board`);
  state.board = board;
  state.boardAt = performance.now();
  state.counter = board.counters.find((c) => c.number === COUNTER) || null;
  render();
  return board.last_seq;
}

let boardTimer = null;
function reloadBoardSoon() {
  clearTimeout(boardTimer);
  boardTimer = setTimeout(() => loadBoard().catch((e) => console.warn("counter: board", e)), BOARD_DEBOUNCE_MS);
}

async function act(action, payload) {
  if (state.busy) return null;
  state.busy = true;
  try {
    const answer = await api("POST", `${PATH}/${action}`, payload);
    await loadBoard();
    return answer ?? {};
  } catch (error) {
    say(error instanceof ApiError && error.unreachable ? t("The server cannot be reached. Please try again.")
      : t("Could not do that: %(message)s", { message: error.message }), "error");
    return null;
  } finally {
    state.busy = false;
  }
}

// ---- the actions ---------------------------------------------------------------------

const actions = {
  async "sign-in"() { if (await act("sign-in", {})) say(""); },
  async "call-next"() {
    const called = await act("call-next");
    if (called === null) return;
    say(called.number ? "" : t("Nobody is waiting for this counter."));
  },
  async recall() {
    const answer = await act("recall");
    if (answer?.ticket) say(t("Recalled %(number)s (%(n)s)", { number: answer.ticket.number, n: answer.ticket.recall_count }));
  },
  async start() { if (await act("start")) say(""); },
  async "no-show"() { if (await act("no-show")) { sessionStorage.removeItem(APOLOGY_KEY); say(""); } },
  "add-item"() {
    const ticket = state.counter?.ticket;
    if (!ticket) return;
    const own = state.items.find((item) => item.service === ticket.service);
    if (own) own.count += 1; else state.items.push({ service: ticket.service, count: 1 });
    render();
  },
  finish() { openFinish(); },
  transfer() {
    const form = $("transfer-dialog").querySelector("form");
    form.reset();
    const own = state.counter.ticket.service;
    for (const option of $("transfer-service").options) option.disabled = option.value === own;
    $("transfer-service").value = [...$("transfer-service").options].find((o) => !o.disabled)?.value;
    showDialog("transfer-dialog", async () => {
      const to = form.elements.to.value;
      const payload = to === "service" ? { service: $("transfer-service").value }
        : { counter: Number($("transfer-counter").value) };
      const note = form.elements.note.value.trim();
      if (note) payload.note = note;
      const number = state.counter.ticket.number;
      if (await act("transfer", payload)) { sessionStorage.removeItem(APOLOGY_KEY); say(t("Transferred %(number)s", { number })); }
    });
  },
  flag() {
    const form = $("flag-dialog").querySelector("form");
    form.reset();
    $("flag-error").textContent = "";
    showDialog("flag-dialog", async () => {
      const kind = form.elements.kind.value;
      const payload = { kind };
      const phone = form.elements.phone.value.trim();
      const reason = form.elements.reason.value.trim();
      if (phone) payload.phone = phone;
      if (reason) payload.reason = reason;
      if (kind === "callback" && !phone) {
        $("flag-error").textContent = t("Enter the customer's phone number.");
        return false; // stays open
      }
      if (await act("flag", payload)) {
        const label = form.querySelector(`input[value="${kind}"]`).parentElement.textContent.replace(/^\s*\d\s*/, "").trim();
        $("flags-sent").textContent = t("Flag sent: %(kind)s", { kind: label });
      }
      return true;
    }, digitsPick(form, "kind"));
  },
  pause() {
    const form = $("pause-dialog").querySelector("form");
    form.reset();
    showDialog("pause-dialog", async () => {
      if (await act("pause", { reason: form.elements.reason.value })) say("");
    }, digitsPick(form, "reason"));
  },
  async resume() { if (await act("resume")) say(""); },
  "sign-out"() {
    showDialog("sign-out-dialog", async () => { if (await act("sign-out")) say(""); });
  },
};

function openFinish() {
  const ticket = state.counter.ticket;
  const box = $("finish-items");
  box.replaceChildren();
  const services = state.hall.services;
  const row = (item) => {
    const line = document.createElement("div");
    line.className = "dialog__item";
    const select = document.createElement("select");
    select.setAttribute("aria-label", t("Service"));
    for (const s of services) select.add(new Option(pick(s.name), s.code, false, s.code === item.service));
    const count = document.createElement("input");
    Object.assign(count, { type: "number", min: 1, max: 99, value: item.count, required: true });
    count.setAttribute("aria-label", t("Count"));
    const remove = document.createElement("button");
    Object.assign(remove, { type: "button", className: "button button--quiet", textContent: t("Remove") });
    remove.addEventListener("click", () => { if (box.children.length > 1) { line.remove(); showBudget(); } });
    select.addEventListener("change", showBudget);
    count.addEventListener("input", showBudget);
    line.append(select, count, remove);
    box.append(line);
    return line;
  };
  const read = () => [...box.children].map((line) => ({
    service: line.querySelector("select").value,
    count: Math.max(1, Math.min(99, Number(line.querySelector("input").value) || 1)),
  }));
  const showBudget = () => {
    const limit = budget(read());
    $("finish-budget").textContent = limit === null ? "" : `${t("Budget %(t)s", { t: clock(limit) })} · ${t("Handled for %(t)s", { t: clock(elapsedNow()) })}`;
  };
  for (const item of state.items) row(item);
  $("finish-add").onclick = () => { row({ service: ticket.service, count: 1 }).querySelector("select").focus(); showBudget(); };
  showBudget();
  showDialog("finish-dialog", async () => {
    const items = read();
    const over = handling() && timerLevel(elapsedNow(), budget(items)) === "over";
    if (await act("finish", { items })) {
      if (over) sessionStorage.setItem(APOLOGY_KEY, "due"); else sessionStorage.removeItem(APOLOGY_KEY);
      render();
      say("");
    }
  });
}

/** In a dialog of choices: the digit keys 1–9 pick the n-th choice. */
function digitsPick(form, name) {
  return (event) => {
    if (!/^[1-9]$/.test(event.key) || event.target.matches("input:not([type=radio]), select")) return;
    const choice = form.querySelectorAll(`input[name="${name}"]`)[Number(event.key) - 1];
    if (choice) { choice.checked = true; choice.focus(); event.preventDefault(); }
  };
}

/** Open a modal dialog; Enter confirms (`onOk`; false keeps it open), Esc cancels. Its OK
 * button is the form's first submit button, so Enter in any field means OK. */
function showDialog(id, onOk, onKey = null) {
  const dialog = $(id);
  const form = dialog.querySelector("form");
  form.onsubmit = async (event) => {
    event.preventDefault();
    const keep = (await onOk()) === false;
    if (!keep) dialog.close();
  };
  dialog.querySelector("[data-close]").onclick = () => dialog.close();
  dialog.onkeydown = (event) => {
    // a list does not submit its form on Enter by itself
    if (event.key === "Enter" && event.target.matches("select")) {
      event.preventDefault();
      form.requestSubmit(form.querySelector("button[value=ok]"));
    } else if (onKey) {
      onKey(event);
    }
  };
  dialog.showModal();
  const first = dialog.querySelector("input:checked, input:not([type=hidden]), select");
  (first || dialog.querySelector("button[value=ok]")).focus();
}

// ---- keys ----------------------------------------------------------------------------

const KEYS = new Map([...document.querySelectorAll("[data-action]")].map((b) => [b.dataset.key.toLowerCase(), b]));
KEYS.set("=", KEYS.get("+"));   // the + key without Shift
KEYS.set(" ", KEYS.get("n"));   // Space calls the next customer too

function run(button) {
  if (!button || button.hidden || button.disabled) return;
  actions[button.dataset.action]();
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
  if (document.querySelector("dialog[open]")) return;
  if (event.target.closest("input, select, textarea")) return;
  if (event.key === " " && event.target.closest("button, a")) return; // Space presses the focused button
  const button = KEYS.get(event.key.toLowerCase());
  if (!button) return;
  event.preventDefault();
  run(button);
});
for (const button of document.querySelectorAll("[data-action]")) {
  button.addEventListener("click", () => run(button));
}

// ---- start -----------------------------------------------------------------------------

async function main() {
  state.hall = await api("GET", `/halls/${encodeURIComponent(HALL)}`);
  new Live({
    hall: HALL,
    onResync: loadBoard,
    onEvent(evt) {
      if (QUEUE_EVENTS.test(evt.type)) reloadBoardSoon();
    },
  }).start();
  setInterval(() => { if (state.board) { tick(); renderQueue(); } }, 1000);
}

main().catch((error) => say(t("Could not do that: %(message)s", { message: error.message }), "error"));
