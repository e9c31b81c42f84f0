// The counter display (/display/<hall>/counters/<number>): the number served at this counter
// and its clerk, or that it is paused (with when it is back, if known) or closed. A call here
// shows at once; every other change of the counter is read back from the board.
import { t } from "/static/js/i18n.js";
import { Live } from "/static/js/live.js";
import { CALLS, board, config, highlight, pauseText, refresher, since, startClock } from "./common.js";

const $ = (id) => document.getElementById(id);
const SCREENS = { serving: "serving", idle: "idle", paused: "paused", closed: "closed" };

function show(state) {
  $("display").dataset.state = state;
  for (const [name, id] of Object.entries(SCREENS)) $(id).hidden = name !== state;
}

function showNumber(number) {
  $("number").textContent = number;
  show("serving");
}

function render(answer) {
  const counter = answer.counters.find((c) => c.number === config.counter);
  const state = counter ? counter.state : "closed";
  if (state === "serving") showNumber(counter.ticket.number);
  else show(state);
  if (state === "paused") {
    const { reason, back } = pauseText(counter.pause_reason, since(answer, counter));
    $("pause-reason").textContent = reason;
    $("pause-back").textContent = back;
    $("pause-back").hidden = !back;
  }
  const signedIn = counter && state !== "closed" && counter.clerk;
  $("clerk").hidden = !signedIn;
  if (signedIn) {
    $("clerk-name").textContent = counter.clerk_name || "";
    $("clerk-badge").textContent = counter.clerk_badge ? t("Badge %(badge)s", { badge: counter.clerk_badge }) : "";
  }
}

const refresh = refresher(async () => render(await board()));

async function snapshot() {
  const answer = await board();
  render(answer);
  return answer.last_seq;
}

function onEvent(evt) {
  if (evt.counter !== config.counter) return;
  if (CALLS.has(evt.type)) {
    showNumber(evt.data.number);
    highlight($("serving"), config.highlight_s);
  }
  refresh();
}

startClock();
new Live({ hall: config.hall, onEvent, onResync: snapshot }).start();
