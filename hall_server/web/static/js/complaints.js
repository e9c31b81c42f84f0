// The complaint register on the reports page (templates/_complaints.html, complaints_api.py).
//
//   import { mountComplaints } from "/static/js/complaints.js";
//   const register = mountComplaints(document.querySelector("[data-complaints]"), "demo");
//   register.setRange("2026-11-01", "2026-11-30");   // the period of the follow-up rate
//
// The register (GET /halls/{hall}/complaints, the unanswered ones or all), the offers of
// unhappy customers not registered yet (…/complaints/offers) and the figures of the period
// (…/complaints/figures) are read when mounted and again after every change made here. A row
// is red when its complaint is overdue and amber when due within the hours of data-due-soon-h;
// its button takes the next step (take in hand, answer, follow up) with the note beside it.
// "Register as a complaint" on an offer fills the form with its ticket and clerk.
import { api } from "./api.js";
import { lang, pick, t } from "./i18n.js";

const NEXT_STEP = { received: "take", in_hand: "answer", answered: "follow-up" };
const STEP_LABELS = { take: "Take in hand", answer: "Answer", "follow-up": "Follow up" };

export function mountComplaints(root, hall) {
  const labels = JSON.parse(root.dataset.labels);   // {kind, category, channel, status}: translated
  const dueSoonMs = Number(root.dataset.dueSoonH) * 3600 * 1000;
  const target = Number(root.dataset.target);
  const hallPath = `/halls/${encodeURIComponent(hall)}`;
  const find = (selector) => root.querySelector(selector);
  const form = find("#complaint-form");
  // hallInfo: GET /halls/{hall}, for the names of the rating levels and reasons
  const state = { filter: "open", from: root.dataset.from || null, to: root.dataset.to || null, hallInfo: null };
  const when = new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "zh-CN", {
    timeZone: root.dataset.timezone || undefined, hourCycle: "h23",
    month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
  const shown = (iso) => (iso ? when.format(new Date(iso)) : "");
  const percent = (share) => `${Math.round(share * 1000) / 10}%`;

  function say(text) {
    find("#complaints-message").textContent = text;
  }

  function failed(error) {
    say(t("Could not do that: %(message)s", { message: error.message }));
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text ?? "";
    if (className) td.className = className;
    return td;
  }

  function sub(parent, text) {
    if (!text) return;
    const span = document.createElement("span");
    span.className = "complaints-table__sub";
    span.textContent = text;
    parent.append(span);
  }

  /** The hall's name of a rating level or reason (GET /halls/{hall}), else its code. */
  function named(kind, code) {
    const found = state.hallInfo?.[kind].find((entry) => entry.code === code);
    return found ? pick(found.name) : code;
  }

  function offerTitle(offer) {
    return offer.source === "flag"
      ? t("Upset customer flagged by %(clerk)s", { clerk: offer.clerk || "—" })
      : t("Rated %(level)s", { level: named("rating_levels", offer.level) || "—" });
  }

  function dueOf(complaint) {
    if (complaint.status === "answered" || complaint.status === "followed_up") return "done";
    if (complaint.overdue) return "overdue";
    return Date.parse(complaint.due_at) - Date.now() <= dueSoonMs ? "soon" : "ok";
  }

  function stepControls(td, complaint) {
    const step = NEXT_STEP[complaint.status];
    if (!step) return;
    const box = document.createElement("div");
    box.className = "complaints-step";
    const note = document.createElement("input");
    note.name = "note";
    note.maxLength = 500;
    note.placeholder = t("Note (optional)");
    note.setAttribute("aria-label", t("Note (optional)"));
    const button = document.createElement("button");
    button.type = "button";
    button.className = "reports-button";
    button.dataset.step = step;
    button.textContent = t(STEP_LABELS[step]);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api("POST", `/complaints/${complaint.id}/${step}`, { note: note.value.trim() || null });
        say("");
        await refresh();
      } catch (error) {
        failed(error);
        button.disabled = false;
      }
    });
    box.append(note, button);
    td.append(box);
  }

  function showRegister(complaints) {
    const body = find("#complaints-table tbody");
    body.replaceChildren();
    for (const complaint of complaints) {
      const row = body.insertRow();
      const due = dueOf(complaint);
      row.dataset.complaint = complaint.id;
      row.dataset.status = complaint.status;
      row.dataset.due = due;
      cell(row, complaint.id, "num");
      const what = cell(row, labels.category[complaint.category]);
      sub(what, `${labels.kind[complaint.kind]} · ${labels.channel[complaint.channel]}`);
      cell(row, shown(complaint.received_at), "num");
      const ticket = cell(row, complaint.ticket_number || "—", "num");
      sub(ticket, complaint.clerk);
      cell(row, complaint.description, "complaints-table__text");
      cell(row, complaint.contact || "—");
      const progress = cell(row, labels.status[complaint.status]);
      const last = complaint.history[complaint.history.length - 1];
      sub(progress, [last.by, last.note].filter(Boolean).join(": "));
      const deadline = cell(row, shown(complaint.due_at), "complaints-due num");
      deadline.dataset.due = due;
      if (due === "overdue") sub(deadline, t("Overdue"));
      else if (due === "soon") sub(deadline, t("Due soon"));
      stepControls(row.insertCell(), complaint);
    }
    const none = find("#complaints-none");
    none.hidden = complaints.length > 0;
    none.textContent = t("No complaints.");
  }

  function showOffers(offers) {
    const list = find("#complaint-offers");
    list.replaceChildren();
    for (const offer of offers) {
      const item = document.createElement("li");
      item.dataset.sourceSeq = offer.source_seq;
      const what = document.createElement("strong");
      what.textContent = offerTitle(offer);
      const where = document.createElement("span");
      where.className = "complaints-table__sub num";
      where.textContent = `${shown(offer.at)} · ${t("Ticket %(number)s, counter %(counter)s",
        { number: offer.ticket_number, counter: offer.counter ?? "—" })}`;
      const reason = offer.source === "rating" ? named("rating_reasons", offer.reason) : offer.reason;
      if (reason) where.textContent += ` · ${reason}`;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "reports-button";
      button.dataset.register = "";
      button.textContent = t("Register as a complaint");
      button.addEventListener("click", () => fillFromOffer(offer));
      item.append(what, where, button);
      list.append(item);
    }
    const none = find("#complaint-offers-none");
    none.hidden = offers.length > 0;
    none.textContent = t("No offers: no upset customer or low rating waits to be registered.");
  }

  function showFigures(figures) {
    const rate = find("#complaint-follow-up");
    rate.textContent = figures.follow_up_rate === null
      ? t("No complaint answered yet")
      : t("Follow-up rate %(rate)s (target %(target)s)",
        { rate: percent(figures.follow_up_rate), target: percent(figures.follow_up_target ?? target) });
    rate.dataset.met = figures.follow_up_met === null ? "" : String(figures.follow_up_met);
    find("#complaint-counts").textContent = t("%(open)s open, %(overdue)s overdue",
      { open: figures.open, overdue: figures.overdue });
  }

  function fillFromOffer(offer) {
    form.elements.source_seq.value = offer.source_seq;
    form.elements.ticket_number.value = offer.ticket_number;
    form.elements.clerk.value = offer.clerk || "";
    form.elements.channel.value = "counter";
    form.elements.kind.value = "complaint";
    for (const name of ["ticket_number", "ticket_day", "clerk"]) form.elements[name].readOnly = true;
    const from = find("#complaint-form-from");
    from.hidden = false;
    from.textContent = offerTitle(offer);
    form.elements.description.focus();
  }

  function clearForm() {
    form.reset();
    form.elements.source_seq.value = "";
    for (const name of ["ticket_number", "ticket_day", "clerk"]) form.elements[name].readOnly = false;
    find("#complaint-form-from").hidden = true;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => form.elements[name].value.trim() || null;
    const seq = value("source_seq");
    const body = {
      kind: value("kind"), category: value("category"), channel: value("channel"),
      description: value("description") || "", contact: value("contact"),
    };
    if (seq) body.source_seq = Number(seq);
    else Object.assign(body, { ticket_number: value("ticket_number"), ticket_day: value("ticket_day"), clerk: value("clerk") });
    const submit = find("#complaint-submit");
    submit.disabled = true;
    try {
      const made = await api("POST", `${hallPath}/complaints`, body);
      clearForm();
      say("");
      find("#complaint-registered").textContent = t("Registered: no. %(id)s", { id: made.id });
      await refresh();
    } catch (error) {
      failed(error);
    } finally {
      submit.disabled = false;
    }
  });

  for (const button of root.querySelectorAll("[data-complaints-filter]")) {
    button.addEventListener("click", () => {
      state.filter = button.dataset.complaintsFilter;
      for (const other of root.querySelectorAll("[data-complaints-filter]")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      refresh().catch(failed);
    });
  }

  async function refresh() {
    if (!state.hallInfo) state.hallInfo = await api("GET", hallPath);
    const figures = state.from && state.to
      ? api("GET", `${hallPath}/complaints/figures?from=${state.from}&to=${state.to}`) : null;
    const [register, offers, counted] = await Promise.all([
      api("GET", `${hallPath}/complaints?state=${state.filter}`),
      api("GET", `${hallPath}/complaints/offers`),
      figures,
    ]);
    showRegister(register.complaints);
    showOffers(offers.offers);
    if (counted) showFigures(counted);
    root.dataset.ready = "true";
  }

  refresh().catch(failed);
  return {
    refresh,
    /** The period (business days, YYYY-MM-DD) of the follow-up rate and the counts. */
    setRange(from, to) {
      Object.assign(state, { from, to });
      return refresh().catch(failed);
    },
  };
}
