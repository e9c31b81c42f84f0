// Administration, section "users" (templates/admin/users.html): the users this person manages
// from /api/v1/admin/users, adding one, editing, resetting a password and disabling, each
// destructive step confirmed; a new password is shown once in a dialog with a copy button.
import { api } from "/static/js/api.js";
import { t } from "/static/js/i18n.js";

const root = document.getElementById("users-root");
const me = root.dataset.me;
const hallNames = JSON.parse(root.dataset.halls || "{}");
const ROLE_LABELS = { clerk: "Clerk", manager: "Manager", admin: "Administrator" };
const tbody = document.querySelector("#users tbody");
const listMessage = document.getElementById("users-message");
let editing = null;

function el(tag, { dataset = {}, ...props } = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

function show(node, text, ok = false) {
  node.textContent = text || "";
  node.hidden = !text;
  node.classList.toggle("is-ok", ok);
}

function failure(error) {
  return t("Could not do that: %(message)s", { message: error.message });
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" }) : t("Never");
}

function tag(text, kind) {
  return el("span", { className: `users__tag${kind ? ` users__tag--${kind}` : ""}`, textContent: text });
}

function button(label, action, kind = "quiet") {
  return el("button", { type: "button", className: `button button--${kind}`, textContent: t(label), dataset: { action } });
}

function row(user) {
  const state = el("td", {}, [user.disabled ? tag(t("Disabled"), "off") : tag(t("Active"))]);
  if (user.must_change_password && !user.disabled) state.append(" ", tag(t("Must change password"), "warn"));
  const actions = el("td", {}, [el("div", { className: "users__actions" }, user.disabled ? [] : [
    button("Edit", "edit"),
    ...(user.username === me ? [] : [button("Reset password", "reset"), button("Disable", "disable", "danger")]),
  ])]);
  const halls = user.role === "admin" ? t("All halls") : user.halls.map((id) => hallNames[id] || id).join("、");
  const name = el("td", {}, [user.username]);
  if (user.username === me) name.append(" ", tag(t("You")));
  const tr = el("tr", { className: user.disabled ? "is-disabled" : "", dataset: { username: user.username } }, [
    name, el("td", { textContent: user.name || "" }), el("td", { className: "num", textContent: user.badge || "" }),
    el("td", { textContent: t(ROLE_LABELS[user.role]) }), el("td", { className: "users__where", textContent: halls }),
    state, el("td", { className: "num", textContent: when(user.last_login_at) }), actions,
  ]);
  tr.user = user;
  return tr;
}

async function load() {
  try {
    const { users } = await api("GET", "/admin/users");
    tbody.replaceChildren(...users.map(row));
    show(listMessage, "");
  } catch (error) {
    show(listMessage, failure(error));
  }
  root.dataset.loaded = "1";
}

function checkedHalls(fieldset) {
  return [...fieldset.querySelectorAll("input:checked")].map((box) => box.value);
}

function syncHalls(select, fieldset) {
  fieldset.disabled = select.value === "admin";
}

function showPassword(username, password) {
  document.getElementById("password-title").textContent = t("Password of %(user)s", { user: username });
  document.getElementById("password-value").textContent = password;
  document.getElementById("password-copied").textContent = "";
  const dialog = document.getElementById("password-dialog");
  dialog.addEventListener("close", () => { document.getElementById("password-value").textContent = ""; }, { once: true });
  dialog.showModal();
}

function confirmed(text) {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-text").textContent = text;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true }));
}

const addForm = document.getElementById("add-user");
const addRole = document.getElementById("add-role");
const addHalls = document.getElementById("add-halls");
addRole.addEventListener("change", () => syncHalls(addRole, addHalls));
addForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(addForm);
  const body = { username: form.get("username").trim(), role: form.get("role"),
                 halls: form.get("role") === "admin" ? [] : checkedHalls(addHalls) };
  for (const key of ["name", "badge"]) if (form.get(key).trim()) body[key] = form.get(key).trim();
  const message = document.getElementById("add-message");
  try {
    const added = await api("POST", "/admin/users", body);
    addForm.reset();
    syncHalls(addRole, addHalls);
    show(message, t("%(user)s added", { user: added.user.username }), true);
    await load();
    showPassword(added.user.username, added.password);
  } catch (error) {
    show(message, failure(error));
  }
});

const editDialog = document.getElementById("edit-dialog");
const editRole = document.getElementById("edit-role");
const editHalls = document.getElementById("edit-halls");
editRole.addEventListener("change", () => syncHalls(editRole, editHalls));
document.getElementById("edit-cancel").addEventListener("click", () => editDialog.close());

function openEdit(user) {
  editing = user;
  document.getElementById("edit-title").textContent = `${t("Edit")} · ${user.username}`;
  document.getElementById("edit-name").value = user.name || "";
  document.getElementById("edit-badge").value = user.badge || "";
  editRole.value = user.role;
  editRole.disabled = user.username === me;
  for (const box of editHalls.querySelectorAll("input")) box.checked = user.halls.includes(box.value);
  syncHalls(editRole, editHalls);
  show(document.getElementById("edit-message"), "");
  editDialog.showModal();
}

document.getElementById("edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { name: document.getElementById("edit-name").value.trim() || null,
                 badge: document.getElementById("edit-badge").value.trim() || null };
  if (editing.username !== me) body.role = editRole.value;
  if (editRole.value !== "admin") body.halls = checkedHalls(editHalls);
  try {
    await api("PATCH", `/admin/users/${encodeURIComponent(editing.username)}`, body);
    editDialog.close();
    show(listMessage, t("%(user)s saved", { user: editing.username }), true);
    await load();
  } catch (error) {
    show(document.getElementById("edit-message"), failure(error));
  }
});

tbody.addEventListener("click", async (event) => {
  const target = event.target.closest("button[data-action]");
  if (!target) return;
  const user = target.closest("tr").user;
  const path = `/admin/users/${encodeURIComponent(user.username)}`;
  try {
    if (target.dataset.action === "edit") {
      openEdit(user);
    } else if (target.dataset.action === "reset") {
      if (!await confirmed(t("Reset the password of %(user)s? Their sessions end at once.", { user: user.username }))) return;
      const reset = await api("POST", `${path}/reset-password`);
      await load();
      showPassword(user.username, reset.password);
    } else if (target.dataset.action === "disable") {
      if (!await confirmed(t("Disable %(user)s? They are signed out at once and can no longer sign in.", { user: user.username }))) return;
      await api("POST", `${path}/disable`);
      show(listMessage, t("%(user)s disabled", { user: user.username }), true);
      await load();
    }
  } catch (error) {
    show(listMessage, failure(error));
  }
});

document.getElementById("password-copy").addEventListener("click", async () => {
  const text = document.getElementById("password-value").textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // no clipboard (plain http on another machine): select the text for Ctrl+C instead
    const range = document.createRange();
    range.selectNodeContents(document.getElementById("password-value"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    return;
  }
  document.getElementById("password-copied").textContent = t("Copied");
});

syncHalls(addRole, addHalls);
load();
