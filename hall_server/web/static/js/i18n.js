// The strings a page's scripts show, from the same catalogues as its template: the view
// passes `js_strings=js_strings("Waiting", "%(n)s min", ...)` (hall_server/web/i18n.py) and
// base.html embeds them in <script id="i18n" type="application/json">.
//
//   import { t, lang } from "/static/js/i18n.js";
//   t("Waiting")                 // "等候中" on a Chinese page
//   t("%(n)s min", { n: 12 })    // "12 分钟"
//
// A msgid the view did not pass comes back as it is (English), and is logged once.

let strings = null;
const missing = new Set();

function catalogue() {
  if (strings === null) {
    const element = document.getElementById("i18n");
    strings = element ? JSON.parse(element.textContent || "{}") : {};
  }
  return strings;
}

export function t(msgid, params) {
  let text = catalogue()[msgid];
  if (text === undefined) {
    if (!missing.has(msgid)) {
      missing.add(msgid);
      console.warn(`i18n: "${msgid}" is not in the page's js_strings`);
    }
    text = msgid;
  }
  return params ? text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole)) : text;
}

/** "zh" or "en": the page's language (base.html's <html lang>). */
export function lang() {
  return document.documentElement.lang.startsWith("en") ? "en" : "zh";
}

/** The Chinese or English one of a {"zh", "en"} pair from the API. */
export function pick(names) {
  return names ? names[lang()] || names.zh || names.en || "" : "";
}
