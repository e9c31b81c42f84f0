// The reports page (templates/reports.html, reports_page.py).
//
// For the range chosen (a preset of the hall's today, this week from Monday, this month, or
// from–to) it takes:
//   GET /halls/{hall}/reports?from&to&tables=true           the hall's report: charts, alerts, and
//                                                            each grouping's table (as the exports hold it)
//   GET /halls/{hall}/reports/summary?...previous...&by=day&format=table  the previous period
//   GET /reports/summary?from&to&format=table                 the halls side by side
// The trends compare the table's totals with the previous period's: the day before, the same
// days of the week or month before, or as many days just before a range of one's own. An
// export downloads the same summary as CSV or XLSX, so it holds exactly the numbers shown. The
// complaint register (complaints.js) below counts its follow-up rate over the same range.
import * as echarts from "/vendor/echarts.esm.min.js";
import { api, ApiError, csrfToken } from "./api.js";
import { mountComplaints } from "./complaints.js";
import { lang, pick, t } from "./i18n.js";

const body = document.body;
const HALL = body.dataset.hall;
const TODAY = body.dataset.today;               // the hall's business day, YYYY-MM-DD
const LABELS = JSON.parse(body.dataset.labels);  // {pause}: translated by reports_page.py
const HALL_PATH = `/halls/${encodeURIComponent(HALL)}`;
const BY = ["service", "counter", "clerk", "day"];
const PRESETS = ["today", "week", "month"];
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const PALETTE = ["#00706b", "#b45309", "#1d4ed8", "#9d174d", "#4d7c0f", "#6d28d9", "#0e7490", "#a16207"];
// the figures of the trend cards: which way is better (1 up, -1 down, 0 neither)
const TRENDS = { issued: 0, served: 1, wait_mean_s: -1, handling_mean_s: 0, compliance_rate: 1, satisfied_rate: 1 };

const $ = (id) => document.getElementById(id);
// tables: the range's table per grouping, as the hall report gave them (the tabs switch among them)
const state = { from: TODAY, to: TODAY, preset: "today", by: "service", loading: 0, register: null, tables: null };
const charts = {};

// ---- dates (YYYY-MM-DD strings, computed in UTC so no timezone moves them) ----------------

const toDate = (iso) => new Date(`${iso}T00:00:00Z`);
const iso = (date) => date.toISOString().slice(0, 10);
const addDays = (day, n) => iso(new Date(toDate(day).getTime() + n * 86400000));
const daysBetween = (from, to) => Math.round((toDate(to) - toDate(from)) / 86400000) + 1;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Monday of the week of `day`. */
function monday(day) {
  return addDays(day, -((toDate(day).getUTCDay() + 6) % 7));
}

function presetRange(preset) {
  if (preset === "week") return { from: monday(TODAY), to: TODAY };
  if (preset === "month") return { from: `${TODAY.slice(0, 8)}01`, to: TODAY };
  return { from: TODAY, to: TODAY };
}

/** The period the trends compare with: the same days of the week or month before for those
    presets, else as many days just before. */
function previousRange() {
  const { from, to, preset } = state;
  if (preset === "week") return { from: addDays(from, -7), to: addDays(to, -7) };
  if (preset === "month") {
    const last = addDays(from, -1);  // the last day of the month before
    const day = Math.min(Number(to.slice(8)), Number(last.slice(8)));
    return { from: `${last.slice(0, 8)}01`, to: `${last.slice(0, 8)}${String(day).padStart(2, "0")}` };
  }
  const days = daysBetween(from, to);
  return { from: addDays(from, -days), to: addDays(from, -1) };
}

// ---- formatting ----------------------------------------------------------------------------

const locale = () => (lang() === "en" ? "en-GB" : "zh-CN");
const shown = (value, decimals) => (value === null || value === undefined ? "—"
  : typeof value === "number" ? value.toLocaleString(locale(), { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
    : String(value));
const minutes = (seconds) => (seconds === null || seconds === undefined ? null : Math.round(seconds / 6) / 10);
const inMinutes = (seconds) => (seconds === null || seconds === undefined ? "—" : t("%(n)s min", { n: shown(minutes(seconds), 1) }));
const dayLabel = (day) => new Intl.DateTimeFormat(locale(), { month: "numeric", day: "numeric", weekday: "short", timeZone: "UTC" })
  .format(toDate(day));

function say(text) {
  $("message").textContent = text;
}

function failed(error) {
  say(t("Could not do that: %(message)s", { message: error instanceof ApiError ? error.message : String(error) }));
}

// ---- the range and the grouping ------------------------------------------------------------

function query(extra = {}) {
  return new URLSearchParams({ from: state.from, to: state.to, ...extra }).toString();
}

/** Keep the range and grouping in the address (a reload, a shared link and the language switch keep them). */
function remember() {
  const params = new URLSearchParams(location.search);
  params.delete("from");
  params.delete("to");
  params.delete("preset");
  if (state.preset) params.set("preset", state.preset);
  else {
    params.set("from", state.from);
    params.set("to", state.to);
  }
  params.set("by", state.by);
  history.replaceState(null, "", `${location.pathname}?${params}`);
  const other = document.querySelector(".lang-switch");
  if (other) {
    const url = new URL(other.href, location.href);
    params.set("lang", url.searchParams.get("lang") || "");
    other.href = `${location.pathname}?${params}`;
  }
}

function fromAddress() {
  const params = new URLSearchParams(location.search);
  const by = params.get("by");
  if (BY.includes(by)) state.by = by;
  const preset = params.get("preset");
  const from = params.get("from");
  const to = params.get("to");
  if (PRESETS.includes(preset)) choosePreset(preset);
  else if (ISO_DAY.test(from || "") && ISO_DAY.test(to || "")) Object.assign(state, { from, to, preset: null });
}

function choosePreset(preset) {
  Object.assign(state, presetRange(preset), { preset });
}

function renderControls() {
  for (const button of document.querySelectorAll("[data-preset]")) {
    button.setAttribute("aria-pressed", String(button.dataset.preset === state.preset));
  }
  for (const tab of document.querySelectorAll("[data-by]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.by === state.by));
  }
  $("from").value = state.from;
  $("to").value = state.to;
  $("range-shown").textContent = state.from === state.to ? dayLabel(state.from)
    : t("%(from)s to %(to)s", { from: dayLabel(state.from), to: dayLabel(state.to) });
  body.dataset.from = state.from;
  body.dataset.to = state.to;
  body.dataset.by = state.by;
}

// ---- tables ----------------------------------------------------------------------------------

function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** A table of reports_files.report_table (format=table): the first column names the row. */
function renderTable(element, table) {
  const head = document.createElement("tr");
  table.columns.forEach((column, index) => {
    const th = cell("th", column.label);
    th.scope = "col";
    th.dataset.key = column.key;
    if (index > 0) th.className = "report-table__figure";
    head.append(th);
  });
  element.tHead.replaceChildren(head);
  const line = (values, tag) => {
    const tr = document.createElement("tr");
    values.forEach((value, index) => {
      const td = index === 0 ? cell("th", String(value)) : cell(tag, shown(value, table.columns[index].decimals));
      if (index === 0) td.scope = "row";
      else td.className = "report-table__figure";
      td.dataset.key = table.columns[index].key;
      tr.append(td);
    });
    return tr;
  };
  const rows = table.rows.map((row) => line(row, "td"));
  if (!rows.length) {
    const empty = cell("td", t("No data in this range"), "report-table__empty");
    empty.colSpan = table.columns.length;
    const tr = document.createElement("tr");
    tr.append(empty);
    rows.push(tr);
  }
  element.tBodies[0].replaceChildren(...rows);
  element.tFoot.replaceChildren(line(table.total, "td"));
}

// ---- trends ------------------------------------------------------------------------------------

function valueOf(table, key) {
  const index = table.columns.findIndex((column) => column.key === key);
  return { value: table.total[index], decimals: table.columns[index].decimals };
}

function withUnit(key, value, decimals) {
  if (value === null || value === undefined) return "—";
  const text = shown(value, decimals);
  return key.endsWith("_rate") ? `${text}%` : key.endsWith("_s") ? t("%(n)s min", { n: text }) : text;
}

function renderTrends(current, previous, range) {
  for (const card of document.querySelectorAll(".trend")) {
    const key = card.dataset.figure;
    const now = valueOf(current, key);
    const before = valueOf(previous, key);
    card.querySelector('[data-field="value"]').textContent = withUnit(key, now.value, now.decimals);
    const change = card.querySelector('[data-field="change"]');
    const comparable = now.value !== null && before.value !== null;
    card.querySelector('[data-field="previous"]').textContent = before.value === null ? t("No previous figures")
      : t("Previous: %(value)s", { value: withUnit(key, before.value, before.decimals) });
    if (!comparable) {
      change.textContent = "";
      change.dataset.direction = "none";
      continue;
    }
    const delta = Math.round((now.value - before.value) * 10) / 10;
    const direction = delta > 0 ? "up" : delta < 0 ? "down" : "same";
    const arrow = { up: "▲", down: "▼", same: "=" }[direction];
    let text;
    if (key.endsWith("_rate")) text = t("%(n)s pt", { n: shown(Math.abs(delta), 1) });
    else if (key.endsWith("_s")) text = t("%(n)s min", { n: shown(Math.abs(delta), 1) });
    else text = before.value ? `${shown(Math.abs(delta / before.value) * 100, 0)}%` : shown(Math.abs(delta), 0);
    change.textContent = `${arrow} ${direction === "same" ? "" : text}`.trim();
    change.dataset.direction = direction;
    const better = TRENDS[key] * Math.sign(delta);
    change.dataset.judgement = better > 0 ? "better" : better < 0 ? "worse" : "neutral";
  }
  $("previous-period").textContent = t("Previous period %(from)s to %(to)s", {
    from: dayLabel(range.from), to: dayLabel(range.to) });
}

// ---- charts --------------------------------------------------------------------------------------

function colour(index) {
  const brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim();
  return index === 0 && brand ? brand : PALETTE[index % PALETTE.length];
}

const AXIS_TEXT = { fontSize: 12, color: "#4b5563" };
const BASE = {
  animation: false,
  grid: { left: 48, right: 48, top: 40, bottom: 36, containLabel: false },
  legend: { type: "scroll", top: 0, textStyle: { fontSize: 12 } },
  tooltip: { trigger: "axis" },
};

function chartServices(report) {
  const rows = report.by_service;
  charts.services.setOption({
    ...BASE,
    grid: { ...BASE.grid, top: 64 },
    xAxis: { type: "category", data: rows.map((row) => pick(row.label)),
      axisLabel: { ...AXIS_TEXT, interval: 0, width: 96, overflow: "break" } },
    yAxis: [
      { type: "value", name: t("Minutes"), axisLabel: AXIS_TEXT, nameTextStyle: AXIS_TEXT },
      { type: "value", name: "%", min: 0, max: 100, axisLabel: AXIS_TEXT, nameTextStyle: AXIS_TEXT, splitLine: { show: false } },
    ],
    series: [
      { name: t("Mean wait"), type: "bar", data: rows.map((row) => minutes(row.wait_mean_s)), itemStyle: { color: colour(1) } },
      { name: t("90th percentile wait"), type: "bar", data: rows.map((row) => minutes(row.wait_p90_s)),
        itemStyle: { color: colour(1), opacity: 0.45 } },
      { name: t("Mean handling"), type: "bar", data: rows.map((row) => minutes(row.handling_mean_s)), itemStyle: { color: colour(2) } },
      { name: t("Within the handling limit"), type: "line", yAxisIndex: 1, symbolSize: 9, lineStyle: { width: 3 },
        data: rows.map((row) => (row.compliance_rate === null ? null : Math.round(row.compliance_rate * 1000) / 10)),
        itemStyle: { color: colour(0) } },
    ],
  }, { notMerge: true });
}

function chartDays(report, previous) {
  const served = previous.columns.findIndex((column) => column.key === "served");
  const byDay = new Map(previous.rows.map((row) => [row[0], row[served]]));
  const days = Array.from({ length: daysBetween(state.from, state.to) }, (_, i) => addDays(state.from, i));
  const range = previousRange();
  const before = days.map((_, i) => addDays(range.from, i));
  const current = new Map(report.by_day.map((row) => [row.key, row.served]));
  charts.days.setOption({
    ...BASE,
    grid: { ...BASE.grid, right: 16 },
    tooltip: {
      trigger: "axis",
      formatter: (params) => params.map((p) => `${p.seriesIndex === 0 ? dayLabel(days[p.dataIndex])
        : dayLabel(before[p.dataIndex])}: ${p.value ?? "—"}`).join("<br>"),
    },
    xAxis: { type: "category", data: days.map(dayLabel), axisLabel: AXIS_TEXT },
    yAxis: { type: "value", minInterval: 1, axisLabel: AXIS_TEXT },
    series: [
      { name: t("Served"), type: "bar", barMaxWidth: 48, data: days.map((day) => current.get(day) ?? 0),
        itemStyle: { color: colour(0) } },
      { name: t("Previous period"), type: "bar", barMaxWidth: 48,
        data: before.map((day) => (day <= range.to ? byDay.get(day) ?? 0 : null)),
        itemStyle: { color: "#9ca3af" } },
    ],
  }, { notMerge: true });
}

/** The hours with anything in them (at least 8:00–18:00), so the heat maps fill their width. */
function hoursShown(grid) {
  let first = 8;
  let last = 17;
  grid.forEach((row) => row.forEach((value, hour) => {
    if (value) {
      first = Math.min(first, hour);
      last = Math.max(last, hour);
    }
  }));
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function heatmap(chart, grid, hours, name, colours, scale = (value) => value) {
  const data = [];
  let high = 0;
  grid.forEach((row, weekday) => hours.forEach((hour, x) => {
    const value = row[hour] === null || row[hour] === undefined ? null : Math.round(scale(row[hour]) * 10) / 10;
    if (value !== null) high = Math.max(high, value);
    data.push([x, weekday, value ?? "-"]);
  }));
  chart.setOption({
    animation: false,
    grid: { left: 48, right: 72, top: 8, bottom: 28 },
    tooltip: { formatter: (p) => `${t(WEEKDAYS[p.value[1]])} ${hours[p.value[0]]}:00 · ${name}: ${p.value[2]}` },
    xAxis: { type: "category", data: hours.map((h) => `${h}`), axisLabel: AXIS_TEXT, splitArea: { show: true } },
    yAxis: { type: "category", data: WEEKDAYS.map((d) => t(d)), inverse: true, axisLabel: AXIS_TEXT, splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(1, high), calculable: true, orient: "vertical", right: 0, top: "middle",
      itemHeight: 140, textStyle: AXIS_TEXT, inRange: { color: colours } },
    series: [{ name, type: "heatmap", data, label: { show: hours.length <= 14, fontSize: 11,
      formatter: (p) => (p.value[2] === "-" || p.value[2] === 0 ? "" : p.value[2]) } }],
  }, { notMerge: true });
}

function chartSatisfaction(report) {
  const levels = report.satisfaction.levels;
  $("satisfied-note").textContent = report.satisfaction.satisfied_rate === null ? ""
    : `${shown(Math.round(report.satisfaction.satisfied_rate * 1000) / 10, 1)}%`;
  charts.satisfaction.setOption({
    ...BASE,
    grid: { ...BASE.grid, right: 16 },
    legend: { show: false },
    xAxis: { type: "category", data: levels.map((level) => pick(level.name)), axisLabel: { ...AXIS_TEXT, interval: 0 } },
    yAxis: { type: "value", minInterval: 1, name: t("Ratings"), axisLabel: AXIS_TEXT, nameTextStyle: AXIS_TEXT },
    series: [{ name: t("Ratings"), type: "bar", barMaxWidth: 56,
      label: { show: true, position: "top", fontSize: 12 },
      data: levels.map((level) => ({ value: level.count, itemStyle: { color: level.low ? "#b42318" : colour(0) } })) }],
  }, { notMerge: true });
}

function chartCounters(report) {
  const counters = report.counters;
  const reasons = [...new Set(counters.flatMap((c) => Object.keys(c.paused_by_reason || {})))];
  const hours = (seconds) => Math.round((seconds || 0) / 360) / 10;
  const bar = (name, values, color) => ({ name, type: "bar", stack: "time", data: values.map(hours), itemStyle: { color },
    emphasis: { focus: "series" } });
  charts.counters.setOption({
    ...BASE,
    grid: { left: 96, right: 24, top: 40, bottom: 28 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", name: t("Hours"), axisLabel: AXIS_TEXT, nameTextStyle: AXIS_TEXT },
    yAxis: { type: "category", data: counters.map((c) => pick(c.label) || String(c.number)), inverse: true, axisLabel: AXIS_TEXT },
    series: [
      bar(t("Serving customers"), counters.map((c) => c.serving_s), colour(0)),
      bar(t("Idle"), counters.map((c) => c.idle_s), "#93c5bf"),
      ...reasons.map((reason, i) => bar(t("Paused: %(reason)s", { reason: LABELS.pause[reason] || reason }),
        counters.map((c) => c.paused_by_reason?.[reason]), PALETTE[(i + 1) % PALETTE.length])),
    ],
  }, { notMerge: true });
}

function renderMore(report) {
  $("alerts-raised").textContent = shown(report.alerts.raised, 0);
  $("alerts-acknowledged").textContent = shown(report.alerts.acknowledged, 0);
  $("alerts-ack").textContent = inMinutes(report.alerts.ack_mean_s);
  $("overtime").textContent = inMinutes(report.overtime.total_s);
}

// ---- talking to the server ---------------------------------------------------------------------

/** The halls side by side; without them (a failure) the rest of the page still shows. */
async function loadHalls() {
  if (!$("halls")) return;
  try {
    const table = await api("GET", `/reports/summary?${query({ format: "table" })}`);
    renderTable($("halls-table"), table);
    $("halls").hidden = table.rows.length < 2;
  } catch (error) {
    $("halls").hidden = true;
    console.warn("reports: halls side by side", error);
  }
}

/** Show the range chosen; `chosen`: by the user (then kept in the address), not on opening. */
async function load(chosen = true) {
  renderControls();
  if (chosen) remember();
  say("");
  state.register.setRange(state.from, state.to);
  const loading = ++state.loading;
  body.dataset.loaded = "0";
  try {
    const range = previousRange();
    const [report, previous] = await Promise.all([
      api("GET", `${HALL_PATH}/reports?${query({ tables: "true" })}`),
      api("GET", `${HALL_PATH}/reports/summary?${new URLSearchParams({ ...range, by: "day", format: "table" })}`),
      loadHalls(),
    ]);
    if (loading !== state.loading) return;  // a newer range was asked for meanwhile
    state.tables = report.tables;
    const table = state.tables[state.by];
    renderTable($("table"), table);
    renderTrends(table, previous, range);
    chartServices(report);
    chartDays(report, previous);
    const hours = hoursShown(report.heatmap.arrivals);  // waits are by the hour of arrival
    heatmap(charts.arrivals, report.heatmap.arrivals, hours, t("Arrivals per day"),
      ["#f0f9f8", "#7fc4bd", "#00706b", "#003b38"]);
    heatmap(charts.waits, report.heatmap.wait_mean_s, hours, t("Mean wait (min)"),
      ["#fffbeb", "#fbbf24", "#b45309", "#7c2d12"], (seconds) => seconds / 60);
    chartSatisfaction(report);
    chartCounters(report);
    renderMore(report);
    body.dataset.loaded = String(loading);
  } catch (error) {
    failed(error);
  }
}

function changeBy(by) {
  state.by = by;
  renderControls();
  remember();
  if (state.tables) renderTable($("table"), state.tables[by]);
}

/** The summary shown (range and grouping) as a file, through the API with the page's CSRF token. */
async function download(format) {
  try {
    const response = await fetch(`/api/v1${HALL_PATH}/reports/summary?${query({ by: state.by, format })}`, {
      headers: { "X-CSRF-Token": csrfToken() }, credentials: "same-origin", cache: "no-store",
    });
    if (!response.ok) {
      const error = (await response.json().catch(() => null))?.error || {};
      throw new ApiError(response.status, error.code, error.message || response.statusText);
    }
    // the file's name as the server gives it (report-<hall>-<from>-<to>-<by>.<format>)
    const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(response.headers.get("Content-Disposition") || "")?.[1] || "";
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement("a"), { href: url, download: decodeURIComponent(name) });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $("export").open = false;
  } catch (error) {
    failed(error);
  }
}

// ---- start -----------------------------------------------------------------------------------

function main() {
  fromAddress();
  for (const id of ["services", "days", "arrivals", "waits", "satisfaction", "counters"]) {
    charts[id] = echarts.init($(`chart-${id}`));
  }
  window.addEventListener("resize", () => Object.values(charts).forEach((chart) => chart.resize()));
  for (const button of document.querySelectorAll("[data-preset]")) {
    button.addEventListener("click", () => {
      choosePreset(button.dataset.preset);
      load();
    });
  }
  $("range").addEventListener("submit", (event) => {
    event.preventDefault();
    const from = $("from").value;
    const to = $("to").value;
    if (!ISO_DAY.test(from) || !ISO_DAY.test(to)) return;
    if (from > to) {
      say(t("From must not be after to"));
      return;
    }
    Object.assign(state, { from, to, preset: null });
    load();
  });
  for (const tab of document.querySelectorAll("[data-by]")) {
    tab.addEventListener("click", () => changeBy(tab.dataset.by));
  }
  for (const item of document.querySelectorAll("[data-format]")) {
    item.addEventListener("click", () => download(item.dataset.format));
  }
  state.register = mountComplaints(document.querySelector("[data-complaints]"), HALL);
  load(false);
}

main();
