// The customer's phone page (phone.html): shows the ticket from GET /api/v1/track/{token},
// follows it live, tells the customer loudly when it is called, and lets them give it up.
import { api } from "./api.js";
import { pick, t } from "./i18n.js";
import { Live } from "./live.js";

const token = decodeURIComponent(location.pathname.split("/").pop());
const VIBRATION_MS = [400, 200, 400, 200, 800];
const MIN_FIT_PX = 24;
const TITLE = document.title;
let called = null; // the call (called_at and recall count) the customer was last alerted for

/** The estimated wait in whole minutes ("<1" under half a minute); null if there is none. */
function minutes(seconds) {
  if (seconds === null || seconds === undefined) return null;
  const n = Math.round(seconds / 60);
  return n < 1 ? "<1" : String(n);
}

/** Shrink the text of `element` until it fits its width in at most `lines` lines. */
function fit(element, lines) {
  element.style.fontSize = "";
  let size = parseFloat(getComputedStyle(element).fontSize);
  const lineHeight = parseFloat(getComputedStyle(element).lineHeight) / size;
  while (size > MIN_FIT_PX
         && (element.scrollWidth > element.clientWidth || element.scrollHeight > size * lineHeight * lines + 1)) {
    size -= 2;
    element.style.fontSize = `${size}px`;
  }
}

function fill(name, text) {
  for (const element of document.querySelectorAll(`[data-field="${name}"]`)) element.textContent = text;
}

function render(ticket) {
  document.body.dataset.status = ticket.status;
  fill("number", ticket.number);
  fill("service", pick(ticket.service_name));
  fill("counter", pick(ticket.counter_name) || String(ticket.counter ?? ""));
  fill("ahead", ticket.ahead ?? "—");
  const wait = minutes(ticket.estimated_wait_s);
  fill("wait", wait ?? "—");
  document.querySelector("[data-wait-unit]").hidden = wait === null;
  document.querySelector("[data-next]").hidden = !(ticket.status === "waiting" && ticket.ahead === 0);
  document.title = ticket.status === "called" ? `【${t("Your turn")}】${TITLE}` : TITLE;
  const call = `${ticket.called_at} ${ticket.recall_count}`;
  if (ticket.status === "called" && call !== called) {
    called = call;
    if ("vibrate" in navigator) navigator.vibrate(VIBRATION_MS);
  }
  if (ticket.status !== "waiting") showConfirm(false);
  for (const element of document.querySelectorAll(".call__counter, .serving__counter")) fit(element, 2);
}

function showConfirm(shown) {
  document.querySelector("[data-give-up]").hidden = shown;
  document.querySelector("[data-confirm]").hidden = !shown;
  if (shown) document.querySelector("[data-confirm-no]").focus();
}

function showError(message) {
  const element = document.querySelector("[data-give-up-error]");
  element.textContent = message || "";
  element.hidden = !message;
}

async function giveUp(button) {
  button.disabled = true;
  showError(null);
  try {
    await api("POST", `/track/${encodeURIComponent(token)}/cancel`);
  } catch (error) {
    showError(error.status === 409 ? t("This number was already called, so it can no longer be given up.")
      : t("Could not give up the number. Please try again."));
  } finally {
    button.disabled = false;
  }
  try {
    ticket = await api("GET", `/track/${encodeURIComponent(token)}`);
  } catch {
    // offline: the live connection brings the ticket when it is back
  }
  render(ticket);
}

let ticket = JSON.parse(document.getElementById("ticket").textContent);
render(ticket);
Live.track(token, (fresh) => { ticket = fresh; render(fresh); });
addEventListener("resize", () => render(ticket));

document.querySelector("[data-give-up]").addEventListener("click", () => showConfirm(true));
document.querySelector("[data-confirm-no]").addEventListener("click", () => showConfirm(false));
document.querySelector("[data-confirm-yes]").addEventListener("click", (event) => giveUp(event.currentTarget));
