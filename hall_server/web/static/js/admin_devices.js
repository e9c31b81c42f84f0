// Administration, section "devices" (templates/admin/devices.html): the hall's devices and
// their health, adding a device and showing its pairing link as a QR code, a new link, revoking.
//
// The list is fetched again when a device's status or the device list changes (the hall's
// live events `device.status` and `device.changed`) and every REFRESH_MS besides: a kiosk,
// display or evaluator that goes silent records no event (the server judges it offline from
// when it was last heard), so only a timed refresh shows that.
import { api } from "./api.js";
import { Live } from "./live.js";
import { t } from "./i18n.js";

const REFRESH_MS = 15000;
const hall = document.body.dataset.hall;
const isAdmin = document.getElementById("devices-root").dataset.admin === "1";
const KINDS = {
  kiosk: "Kiosk", display: "Display", evaluator: "Evaluator", booking: "Booking system",
  printer: "Printer", led: "LED display", camera: "Camera",
};
const PAIRED_KINDS = new Set(["kiosk", "display", "evaluator"]);
const PAPER = { ok: "Paper OK", near_end: "Paper near end", out: "Paper out" };
let loads = 0;
let pending = null;

function el(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : t("Never");
}

function say(id, text) {
  const node = document.getElementById(id);
  node.textContent = text || "";
  node.hidden = !text;
}

function details(device) {
  const parts = [];
  if (device.counter !== null) parts.push(t("Counter %(n)s", { n: device.counter }));
  else if (device.kind === "display") parts.push(t("Whole hall"));
  if (PAIRED_KINDS.has(device.kind)) parts.push(device.paired_at ? t("Paired") : t("Not paired"));
  if (device.kind === "printer") {
    parts.push(t(PAPER[device.paper] || device.paper));
    if (device.cover_open) parts.push(t("Cover open"));
    if (device.fault) parts.push(t("Fault: %(fault)s", { fault: device.fault }));
    if (device.pending) parts.push(t("%(n)s to print", { n: device.pending }));
  }
  if (device.kind === "camera" && device.people !== null) parts.push(t("%(n)s people", { n: device.people }));
  return parts.join(" · ");
}

function state(device) {
  if (device.online === null) return el("span", { className: "device-state device-state--none", textContent: t("Not judged") });
  const on = device.online;
  return el("span", { className: `device-state device-state--${on ? "on" : "off"}`, textContent: t(on ? "Online" : "Offline") });
}

function actions(device) {
  const cell = el("td", { className: "device-actions" });
  const managed = PAIRED_KINDS.has(device.kind);
  if (managed) {
    cell.append(el("button", {
      type: "button", className: "device-link", textContent: device.paired_at ? t("Re-pair") : t("New pairing link"),
      onclick: () => act(() => api("POST", `/halls/${hall}/devices/${encodeURIComponent(device.name)}/pairing`),
        (link) => showPairing(device.name, link, null)),
    }));
  }
  if (managed || (device.kind === "booking" && isAdmin)) {
    cell.append(el("button", {
      type: "button", className: "device-revoke", textContent: t("Revoke"),
      onclick: () => {
        if (!window.confirm(t("Revoke %(name)s? Its screen stops working at once.", { name: device.name }))) return;
        act(() => api("POST", `/halls/${hall}/devices/${encodeURIComponent(device.name)}/revoke`),
          () => say("devices-message", t("%(name)s revoked", { name: device.name })));
      },
    }));
  }
  return cell;
}

function render(devices) {
  const body = document.querySelector("#devices tbody");
  body.replaceChildren(...devices.map((device) => el("tr", { className: `device device--${device.kind}`, dataset: { device: device.name } },
    el("th", { scope: "row", textContent: device.name }),
    el("td", { textContent: t(KINDS[device.kind] || device.kind) }),
    el("td", {}, state(device)),
    el("td", { textContent: device.last_seen ? time(device.last_seen) : (PAIRED_KINDS.has(device.kind) || device.kind === "booking" ? t("Never") : "—") }),
    el("td", { textContent: details(device) }),
    actions(device),
  )));
}

async function load() {
  try {
    const { devices } = await api("GET", `/halls/${hall}/devices`);
    render(devices);
    say("devices-updated", t("Updated %(time)s", { time: time(new Date().toISOString()) }));
    document.body.dataset.loaded = String(++loads);
  } catch (error) {
    say("devices-message", t("Could not do that: %(message)s", { message: error.message }));
  }
}

/** Refresh soon, once for a burst of events. */
function loadSoon() {
  clearTimeout(pending);
  pending = setTimeout(load, 300);
}

async function act(call, then) {
  say("devices-message", "");
  try {
    then(await call());
  } catch (error) {
    say("devices-message", t("Could not do that: %(message)s", { message: error.message }));
  }
  await load();
}

function showPairing(name, link, token) {
  const panel = document.getElementById("pairing");
  document.getElementById("pairing-title").textContent = t("Pair %(name)s", { name });
  const qr = document.getElementById("pairing-qr");
  const url = document.getElementById("pairing-url");
  qr.hidden = url.hidden = !link;
  if (link) {
    qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qr_svg)}`;
    url.textContent = link.url;
    panel.dataset.url = link.url;
  }
  say("pairing-expires", link ? t("Valid once, until %(time)s", { time: time(link.expires_at) }) : "");
  say("pairing-ended", link?.ended_pairing ? t("The paired browser of this device was signed out.") : "");
  const tokenBox = document.getElementById("pairing-token-box");
  tokenBox.hidden = !token;
  tokenBox.open = Boolean(token) && !link;
  document.getElementById("pairing-token").textContent = token || "";
  panel.hidden = false;
}

function setUpForm() {
  const form = document.getElementById("add-device");
  const kind = document.getElementById("add-kind");
  const counter = document.getElementById("add-counter");
  const fit = () => {
    counter.disabled = kind.value === "kiosk" || kind.value === "booking";
    counter.required = kind.value === "evaluator";
    if (counter.disabled) counter.value = "";
  };
  kind.addEventListener("change", fit);
  fit();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say("add-message", "");
    const body = { kind: kind.value, name: form.elements.name.value.trim(), counter: counter.value ? Number(counter.value) : null };
    try {
      const added = await api("POST", `/halls/${hall}/devices`, body);
      showPairing(added.name, added.link, added.token);
      form.elements.name.value = "";
    } catch (error) {
      say("add-message", t("Could not do that: %(message)s", { message: error.message }));
    }
    await load();
  });
}

setUpForm();
load();
setInterval(load, REFRESH_MS);
new Live({
  hall,
  onEvent(evt) {
    if (evt.type === "device.status" || evt.type === "device.changed") loadSoon();
  },
  onStatus() {},
}).start();
