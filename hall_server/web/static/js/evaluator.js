// The evaluator at one counter (evaluator.html): welcome → rate → (reason, for a low
// rating) → thanks → welcome.
//
// A visit that ends at this counter (`ticket.finished` with this counter) asks for a rating;
// a second one while the first is still asked for replaces it. Nobody touching the screen for
// the hall's rating_timeout_s goes back to welcome and records nothing; on the reason screen
// the low rating is recorded without a reason instead (a low rating must reach the manager).
// Visits that ended longer ago than the timeout (events caught up after a network drop) are
// not asked about.
import { api } from "./api.js";
import { Live } from "./live.js";
import { t } from "./i18n.js";

const root = document.getElementById("evaluator");
const hall = root.dataset.hall;
const counter = Number(root.dataset.counter);
const timeoutMs = Number(root.dataset.timeoutS) * 1000;
const thanksMs = Number(root.dataset.thanksS) * 1000;
const SEND_RETRY_MS = 3000;
const SEND_ATTEMPTS = 20;

let visit = null;       // {ticket, number} being rated
let chosen = null;      // the score chosen on the rate screen (while the reason is asked)
let deadline = 0;       // when the current screen gives up (ms, this clock)
let timer = null;
let serverOffsetMs = 0; // the server's clock minus this one

function show(name) {
  root.dataset.screenNow = name;
  for (const screen of root.querySelectorAll("[data-screen]")) {
    screen.hidden = screen.dataset.screen !== name;
  }
  const counting = name === "rate" || name === "reason";
  document.getElementById("countdown").hidden = !counting;
}

function idle() {
  clearInterval(timer);
  visit = chosen = null;
  show("idle");
}

/** Count down the current screen; `onTimeout` when nobody touched it in time. */
function countdown(onTimeout) {
  clearInterval(timer);
  deadline = Date.now() + timeoutMs;
  const tick = () => {
    const left = Math.max(0, deadline - Date.now());
    document.getElementById("countdown-fill").style.width = `${(100 * left) / timeoutMs}%`;
    document.getElementById("countdown-text").textContent = t("%(n)s s", { n: Math.ceil(left / 1000) });
    if (left === 0) {
      clearInterval(timer);
      onTimeout();
    }
  };
  tick();
  timer = setInterval(tick, 250);
}

function ask(ticket, number) {
  visit = { ticket, number };
  chosen = null;
  document.getElementById("rate-number").textContent = number;
  show("rate");
  countdown(idle);
}

function thank(low) {
  clearInterval(timer);
  document.getElementById("thanks-low").hidden = !low;
  show("thanks");
  const shown = visit;
  setTimeout(() => { if (visit === shown) idle(); }, thanksMs);
}

/** Post the rating, again while the server cannot be reached; the customer is thanked at once. */
async function send(ticket, score, reason) {
  for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt += 1) {
    try {
      await api("POST", `/tickets/${ticket}/rating`, { score, reason });
      return;
    } catch (error) {
      if (!error.unreachable) {
        console.warn("evaluator: the rating was refused", error.code);
        return; // rated already, or refused: trying again changes nothing
      }
      await new Promise((resolve) => setTimeout(resolve, SEND_RETRY_MS));
    }
  }
}

function rate(score, low, reason = null) {
  if (!visit || visit.rated) return; // a double tap rates once
  visit.rated = true;
  send(visit.ticket, score, reason);
  thank(low);
}

function chooseLevel(button) {
  if (!visit || visit.rated) return;
  const score = Number(button.dataset.score);
  const low = button.dataset.low === "true";
  if (low && root.querySelector("[data-reason]")) {
    chosen = score;
    show("reason");
    countdown(() => rate(chosen, true)); // walked away: the low rating still counts
  } else {
    rate(score, low);
  }
}

function renderClerk(board) {
  const state = board.counters.find((c) => c.number === counter);
  const name = state?.clerk_name || "";
  const badge = state?.clerk_badge || "";
  document.getElementById("clerk").hidden = !state?.clerk || !(name || badge);
  document.getElementById("clerk-name").textContent = name;
  document.getElementById("clerk-badge").textContent = badge ? t("Staff no. %(badge)s", { badge }) : "";
}

async function loadBoard() {
  const board = await api("GET", `/halls/${encodeURIComponent(hall)}/board`);
  serverOffsetMs = Date.parse(board.at) - Date.now();
  renderClerk(board);
  return board.last_seq;
}

function onEvent(evt) {
  if (evt.counter !== counter) return;
  if (evt.type === "ticket.finished") {
    const age = Date.now() + serverOffsetMs - Date.parse(evt.at);
    if (age < timeoutMs) ask(evt.ticket, evt.data.number);
  } else if (evt.type.startsWith("counter.")) {
    loadBoard().catch((error) => console.warn("evaluator: board", error));
  }
}

root.querySelectorAll("[data-score]").forEach((button) => {
  button.addEventListener("click", () => chooseLevel(button));
});
root.querySelectorAll("[data-reason]").forEach((button) => {
  button.addEventListener("click", () => { if (visit && chosen !== null) rate(chosen, true, button.dataset.reason); });
});
document.getElementById("skip").addEventListener("click", () => { if (visit && chosen !== null) rate(chosen, true); });

idle();
const onStatus = (online) => { root.dataset.online = String(online); };
new Live({ hall, onEvent, onStatus, onResync: loadBoard }).start();
