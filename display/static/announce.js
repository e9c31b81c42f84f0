// The hall display's announcements: each call after a chime, in each of the hall's
// languages, one after another, none dropped or cut off.
//
//   import { Announcer } from "/display/static/announce.js";
//   const announcer = new Announcer({ hall: "demo", languages: ["zh", "en"],
//     texts: { zh: "请 %(number)s 号到 %(counter)s 号窗口办理", en: "Number %(number)s, ..." },
//     digitsZh: "零一二三四五六七八九",
//     onBlocked: (unlock) => { show a "tap to enable sound" button whose click calls unlock() } });
//   announcer.announce("A012", 3);   // a recall is announced again: call it again
//
// The audio is the server's (GET /api/v1/halls/{hall}/voice/chime and /voice/call?number=
// &counter=&lang=, made offline by espeak-ng or from the hall's recorded clips), requested as
// soon as a call is queued, so it is ready when its turn comes; it plays after every
// announcement queued before it has ended. When the server cannot give a call's audio (503
// `voice_unavailable`, or no answer), the browser's speech synthesis says the same text.
//
// Browsers play sound only after the user touched the page, unless started with
// `--autoplay-policy=no-user-gesture-required` (the display PC's Chromium, display/__init__.py).
// When a clip is refused, `onBlocked(unlock)` is called once and the queue waits for the touch.
import { csrfToken } from "/static/js/api.js";

const FETCH_TIMEOUT_MS = 8000;
// the longest one clip may take: a clip that never ends (a broken sound card) must not stop the queue
const CLIP_GUARD_MS = 15000;
const SPEECH_LANG = { zh: "zh-CN", en: "en-US" };

function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** The number as a caller reads it, a character at a time ("A 零 一 二", "A 0 1 2"), as the
 * server's voice does (hall_server/domain/announcements.py spoken_number). */
function spelled(number, lang, digitsZh) {
  return Array.from(String(number), (c) => (lang === "zh" && /[0-9]/.test(c) ? digitsZh[Number(c)] : c)).join(" ");
}

/** Wait for `target` to fire one of `events`, or `ms` to pass. */
function settle(target, events, ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const name of events) target.removeEventListener(name, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const name of events) target.addEventListener(name, done);
  });
}

export class Announcer {
  constructor({ hall, languages, texts, digitsZh, onBlocked = () => {} }) {
    this.base = `/api/v1/halls/${encodeURIComponent(hall)}/voice`;
    this.languages = languages;
    this.texts = texts;
    this.digitsZh = digitsZh;
    this.onBlocked = onBlocked;
    this.queue = Promise.resolve();
    this.chime = null;      // the chime's blob URL, fetched once
    this.unlocked = null;   // a promise resolved by the user's touch, while sound is blocked
    this.chimeClip();       // ready before the first call
  }

  /** Queue one call's announcement; resolves when it has been played. */
  announce(number, counter) {
    const clips = [this.chimeClip(), ...this.languages.map((lang) => this.callClip(number, counter, lang))];
    this.queue = this.queue.then(async () => {
      for (const clip of clips) await this.play(await clip);
    }).catch((error) => console.warn("announce: failed", error));
    return this.queue;
  }

  async fetchAudio(path) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
    try {
      const response = await fetch(this.base + path, {
        headers: { Accept: "audio/*", "X-CSRF-Token": csrfToken() },
        credentials: "same-origin", signal: controller.signal,
      });
      if (!response.ok) throw new Error(`voice: ${response.status}`);
      return URL.createObjectURL(await response.blob());
    } finally {
      clearTimeout(timer);
    }
  }

  chimeClip() {
    if (!this.chime) {
      this.chime = this.fetchAudio("/chime").catch((error) => {
        console.warn("announce: no chime", error);
        this.chime = null; // asked again with the next call
        return null;
      });
    }
    return this.chime.then((url) => ({ url, keep: true }));
  }

  async callClip(number, counter, lang) {
    const query = new URLSearchParams({ number, counter, lang });
    const text = fill(this.texts[lang], { number: spelled(number, lang, this.digitsZh), counter });
    try {
      return { url: await this.fetchAudio(`/call?${query}`), text, lang };
    } catch (error) {
      console.warn("announce: the server's audio is unavailable, the browser speaks", error);
      return { url: null, text, lang };
    }
  }

  async play(clip) {
    if (clip.url) {
      await this.playAudio(clip.url);
      if (!clip.keep) URL.revokeObjectURL(clip.url);
    } else if (clip.text) {
      await this.speak(clip.text, clip.lang);
    }
  }

  async playAudio(url) {
    for (;;) {
      const audio = new Audio(url);
      const ended = settle(audio, ["ended", "error"], CLIP_GUARD_MS);
      try {
        // a play() that never settles (no sound device answering) is bounded like the clip
        const started = await Promise.race([audio.play().then(() => true), ended.then(() => false)]);
        return started ? ended : undefined;
      } catch (error) {
        if (error.name !== "NotAllowedError") return undefined;
        await this.waitForTouch();
      }
    }
  }

  speak(text, lang) {
    const synth = window.speechSynthesis;
    if (!synth) return Promise.resolve();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = SPEECH_LANG[lang] || lang;
    const spoken = settle(utterance, ["end", "error"], CLIP_GUARD_MS);
    synth.speak(utterance);
    return spoken;
  }

  /** Sound is blocked until the user touches the page: ask once, then wait for it. */
  waitForTouch() {
    if (!this.unlocked) {
      this.unlocked = new Promise((resolve) => this.onBlocked(() => {
        this.unlocked = null;
        resolve();
      }));
    }
    return this.unlocked;
  }
}
