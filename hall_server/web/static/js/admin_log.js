// Who did what (templates/admin/log.html): the hall's log filtered, newest first, a page of
// 100 at a time ("More" asks for the lines before the last one shown).
import { api } from "/static/js/api.js";
import { t, pick } from "/static/js/i18n.js";

const hall = document.body.dataset.hall;
const form = document.getElementById("log-filters");
const body = document.getElementById("log-lines");
const more = document.getElementById("log-more");
const empty = document.getElementById("log-empty");
const errorLine = document.getElementById("log-error");
more.textContent = t("More");
let query = "";
let nextBefore = null;

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  return td;
}

function who(line) {
  if (!line.actor) return "";
  const name = line.name ? `${line.name} (${line.actor})` : line.actor;
  return line.badge ? `${name} · ${t("Badge %(badge)s", { badge: line.badge })}` : name;
}

function row(line) {
  const tr = document.createElement("tr");
  tr.className = "log-line";
  tr.dataset.type = line.type;
  const at = line.at.slice(0, 19).replace("T", " ");
  tr.append(cell(at), cell(who(line)), cell(pick(line.text)), cell(line.number), cell(line.counter));
  return tr;
}

async function fetchPage(append) {
  errorLine.textContent = "";
  const page = `${query}${append && nextBefore ? `&before=${nextBefore}` : ""}`;
  try {
    const found = await api("GET", `/halls/${hall}/log?limit=100${page}`);
    if (!append) body.replaceChildren();
    body.append(...found.lines.map(row));
    nextBefore = found.next_before;
    more.hidden = nextBefore === null;
    empty.hidden = body.children.length > 0;
    empty.textContent = t("No events match");
  } catch (error) {
    errorLine.textContent = t("Could not do that: %(message)s", { message: error.message });
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (value) params.set(key, key === "number" ? value.trim().toUpperCase() : value.trim());
  }
  query = params.size ? `&${params}` : "";
  nextBefore = null;
  fetchPage(false);
});
more.addEventListener("click", () => fetchPage(true));
fetchPage(false);
