// The manager's daily switches (templates/admin/switches.html): each service's issuing state
// from GET /halls/{hall}, stop/resume and the daily cap through its switch, and the notice
// line on the displays; who changed each last comes from the switch and the hall's log.
import { api } from "/static/js/api.js";
import { t, lang } from "/static/js/i18n.js";

const hall = document.body.dataset.hall;
const list = document.getElementById("switches");
const errorLine = document.getElementById("switch-error");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function localTime(iso) {
  return new Date(iso).toLocaleString(lang() === "en" ? "en-GB" : "zh-CN", { hour12: false });
}

function changedBy(switchState) {
  return switchState ? t("Last changed by %(who)s at %(at)s", { who: switchState.changed_by, at: localTime(switchState.changed_at) })
    : t("Never changed");
}

async function act(doing) {
  errorLine.textContent = "";
  try {
    await doing();
    await load();
  } catch (error) {
    errorLine.textContent = t("Could not do that: %(message)s", { message: error.message });
  }
}

function serviceRow(service) {
  const name = lang() === "en" ? service.name.en : service.name.zh;
  const stoppedByManager = Boolean(service.switch && !service.switch.issuing);
  const reason = service.issuing ? t("Issuing")
    : stoppedByManager ? t("Stopped") : service.stop_reason === "daily_cap_reached" ? t("Daily cap reached") : t("Closed now");
  const state = el("span", { class: `switch-state switch-state--${service.issuing ? "issuing" : "stopped"}`, "data-state": stoppedByManager ? "stopped" : "issuing" }, reason);
  const toggle = el("button", { type: "button", class: "switch-toggle" }, stoppedByManager ? t("Resume issuing") : t("Stop issuing"));
  const cap = el("input", { type: "number", min: "1", max: "99999", class: "switch-cap", placeholder: t("No cap"), "aria-label": t("Save cap") });
  if (service.switch && service.switch.daily_cap) cap.value = service.switch.daily_cap;
  const saveCap = el("button", { type: "button", class: "switch-save-cap" }, t("Save cap"));
  const post = (issuing) => api("POST", `/halls/${hall}/services/${service.code}/switch`,
    { issuing, daily_cap: cap.value ? Number(cap.value) : null });
  toggle.addEventListener("click", () => act(() => post(stoppedByManager)));
  saveCap.addEventListener("click", () => act(() => post(!stoppedByManager)));
  return el("div", { class: "switch-row", "data-service": service.code },
    el("div", {}, el("strong", {}, `${service.prefix} ${name} `), state,
      el("div", { class: "switch-who" }, `${t("Issued today: %(n)s", { n: service.issued_today })} · ${changedBy(service.switch)}`)),
    toggle, el("span", {}, cap, " ", saveCap));
}

async function load() {
  const [state, notices] = await Promise.all([
    api("GET", `/halls/${hall}`),
    api("GET", `/halls/${hall}/log?type=hall.notice&limit=1`),
  ]);
  document.getElementById("switch-today").textContent = `${state.today.opens} – ${state.today.closes}`;
  list.replaceChildren(...state.services.map(serviceRow));
  document.getElementById("notice-zh").value = state.notice ? state.notice.zh : "";
  document.getElementById("notice-en").value = state.notice ? state.notice.en : "";
  const last = notices.lines[0];
  document.getElementById("notice-who").textContent = last
    ? t("Last changed by %(who)s at %(at)s", { who: last.name || last.actor, at: localTime(last.at) }) : t("Never changed");
}

document.getElementById("notice-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  act(() => api("POST", `/halls/${hall}/notice`, { zh: form.zh.value, en: form.en.value }));
});
document.getElementById("notice-clear").addEventListener("click", () =>
  act(() => api("POST", `/halls/${hall}/notice`, { zh: "", en: "" })));

load().catch((error) => { errorLine.textContent = t("Could not do that: %(message)s", { message: error.message }); });
