// The hall display (/display/<hall>): from a snapshot (the hall, its board and its latest
// calls), then live. A call shows at once, the newest large and highlighted, and is announced
// (announce.js) unless it is caught up more than `announce_within_s` after it was made; the
// counters and waiting counts follow the board, refreshed after each change.
import { api } from "/static/js/api.js";
import { pick, t, lang } from "/static/js/i18n.js";
import { Live } from "/static/js/live.js";
import { Announcer } from "./announce.js";
import {
  CALLS, board, config, dayOf, hall, hallPath, highlight, refresher, serverNow, startClock,
} from "./common.js";

const HISTORY_EVENTS = 1000; // events read back at the start for the calls before it
const $ = (id) => document.getElementById(id);

let calls = []; // the newest first: {number, counter, at, recall}
let services = [];

const announcer = new Announcer({
  hall: config.hall, languages: config.languages, texts: config.call_texts, digitsZh: config.digits_zh,
  onBlocked(unlock) {
    const button = $("enable-sound");
    button.hidden = false;
    button.addEventListener("click", () => { button.hidden = true; unlock(); }, { once: true });
  },
});

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function callOf(evt) {
  return { number: evt.data.number, counter: evt.counter, at: Date.parse(evt.at),
           recall: evt.type === "ticket.recalled" };
}

function renderCalls() {
  const [latest, ...earlier] = calls;
  $("latest").hidden = !latest;
  $("no-calls").hidden = Boolean(latest);
  if (latest) {
    const other = lang() === "en" ? "zh" : "en";
    $("latest-number").textContent = latest.number;
    $("latest-counter").textContent = t("Please go to counter %(counter)s", { counter: latest.counter });
    $("latest-other").textContent = config.go_texts[other].replace("%(counter)s", latest.counter);
    $("latest").dataset.number = latest.number;
  }
  $("recent").replaceChildren(...earlier.map((call) => {
    const row = el("tr");
    const number = el("td", "d-recent-number", call.number);
    if (call.recall) number.append(el("span", "d-tag", t("Called again")));
    row.append(number, el("td", "d-recent-counter", String(call.counter)));
    return row;
  }));
}

let shownBoard = "";

function renderBoard(answer) {
  const seen = JSON.stringify([answer.counters.map((c) => [c.number, c.state, c.ticket?.number]), answer.services]);
  if (seen === shownBoard) return; // nothing on screen changes: no layout, no paint
  shownBoard = seen;
  $("counters").replaceChildren(...answer.counters.map((counter) => {
    const item = el("li", `d-counter d-counter--${counter.state}`);
    item.dataset.counter = counter.number;
    item.append(el("span", "d-counter-number", String(counter.number)));
    const now = counter.ticket ? counter.ticket.number
      : { paused: t("Paused"), closed: t("Closed") }[counter.state] || t("Open");
    item.append(el("span", "d-counter-ticket", now));
    return item;
  }));
  const loads = new Map(answer.services.map((load) => [load.code, load]));
  $("waiting").replaceChildren(...services.map((service) => {
    const item = el("li", "d-service");
    item.dataset.service = service.code;
    item.append(el("span", "d-service-name", pick(service.name)));
    const count = el("span", "d-service-count", String(loads.get(service.code)?.waiting ?? 0));
    count.setAttribute("aria-label", t("%(n)s waiting", { n: loads.get(service.code)?.waiting ?? 0 }));
    item.append(count);
    return item;
  }));
}

function renderNotice(notice) {
  const text = pick(notice);
  $("notice").hidden = !text;
  const line = $("notice-text");
  line.textContent = text;
  line.classList.remove("is-scrolling");
  if (text && line.scrollWidth > line.parentElement.clientWidth) {
    line.style.setProperty("--scroll-s", `${Math.max(10, text.length / 4)}s`);
    line.classList.add("is-scrolling");
  }
}

const refreshBoard = refresher(async () => renderBoard(await board()));

/** The hall, its board and its calls today before the board's seq; returns that seq. */
async function snapshot() {
  const [hallAnswer, boardAnswer] = await Promise.all([hall(), board()]);
  services = hallAnswer.services;
  renderNotice(hallAnswer.notice);
  renderBoard(boardAnswer);
  const after = Math.max(0, boardAnswer.last_seq - HISTORY_EVENTS);
  const page = await api("GET", `${hallPath}/events?after=${after}&limit=${HISTORY_EVENTS}`);
  const today = dayOf(serverNow());
  calls = page.events
    .filter((evt) => CALLS.has(evt.type) && evt.seq <= boardAnswer.last_seq && dayOf(Date.parse(evt.at)) === today)
    .map(callOf).reverse().slice(0, config.recent_calls);
  renderCalls();
  return boardAnswer.last_seq;
}

function onEvent(evt) {
  if (CALLS.has(evt.type)) {
    const call = callOf(evt);
    calls = [call, ...calls].slice(0, config.recent_calls);
    renderCalls();
    highlight($("latest"), config.highlight_s);
    const cell = document.querySelector(`.d-counter[data-counter="${call.counter}"] .d-counter-ticket`);
    if (cell) cell.textContent = call.number;
    if (serverNow() - call.at <= config.announce_within_s * 1000) announcer.announce(call.number, call.counter);
  } else if (evt.type === "hall.notice") {
    renderNotice(evt.data);
    return;
  }
  if (evt.type.startsWith("ticket.") || evt.type.startsWith("counter.")) refreshBoard();
}

startClock();
new Live({ hall: config.hall, onEvent, onResync: snapshot }).start();
