// The on-screen keypad for an appointment code: one big key per character of the code
// alphabet (digits first, then letters in alphabetical order, which a customer who never
// learnt a keyboard finds faster), a delete and a clear key. A keyboard or a QR scanner
// typing into the kiosk works too: a scanned payload ("HALLAPPT:hall:CODE") keeps only
// what follows its last colon, and Enter submits.
import { t } from "/static/js/i18n.js";

export class Keypad {
  /** `keys` and `display` are elements; `onChange(code)` after each change, `onSubmit(code)`. */
  constructor({ keys, display, alphabet, length, onChange = () => {}, onSubmit = () => {} }) {
    this.alphabet = alphabet;
    this.length = length;
    this.onChange = onChange;
    this.onSubmit = onSubmit;
    this.code = "";
    this.display = display;
    this.render(keys);
    this.show();
  }

  render(keys) {
    const add = (label, className, action) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `k-key ${className}`;
      button.textContent = label;
      button.addEventListener("click", action);
      keys.append(button);
      return button;
    };
    for (const char of this.alphabet) {
      add(char, /\d/.test(char) ? "k-key--digit" : "k-key--letter", () => this.type(char)).dataset.key = char;
    }
    add(t("Clear"), "k-key--wide k-key--quiet", () => this.clear()).dataset.key = "clear";
    add(`⌫ ${t("Delete")}`, "k-key--wide k-key--quiet", () => this.erase()).dataset.key = "delete";
    for (let i = 0; i < this.length; i++) {
      const box = document.createElement("span");
      box.className = "k-code-box num";
      this.display.append(box);
    }
  }

  type(char) {
    if (this.code.length >= this.length) return;
    this.code += char;
    this.changed();
  }

  erase() {
    this.code = this.code.slice(0, -1);
    this.changed();
  }

  clear() {
    this.code = "";
    this.changed();
  }

  /** A key from a keyboard or a scanner; true if the keypad used it. */
  key(event) {
    if (event.key === "Enter") {
      this.onSubmit(this.code);
    } else if (event.key === "Backspace") {
      this.erase();
    } else if (event.key === ":") {
      this.clear(); // a scanned payload: the code follows the last colon
    } else if (event.key.length === 1 && this.alphabet.includes(event.key.toUpperCase())) {
      this.type(event.key.toUpperCase());
    } else {
      return false;
    }
    return true;
  }

  changed() {
    this.show();
    this.onChange(this.code);
  }

  show() {
    [...this.display.children].forEach((box, i) => {
      box.textContent = this.code[i] || "";
      box.classList.toggle("is-next", i === this.code.length);
    });
    this.display.setAttribute("aria-label", this.code.split("").join(" "));
  }

  get complete() {
    return this.code.length === this.length;
  }
}
