// The one live connection of every page (DESIGN.md §4).
//
// A hall page (kiosk, displays, counter screen, board):
//
//   import { Live } from "/static/js/live.js";
//   const live = new Live({
//     hall: "demo",
//     onEvent(evt) { ... },            // each event of the hall, in seq order, exactly once
//     onStatus(online) { ... },        // false while disconnected or catching up after an error
//     async onResync() {               // (optional) take a snapshot, return its last_seq
//       const board = await api("GET", "/halls/demo/board");
//       render(board);
//       return board.last_seq;
//     },
//     since: 0,                        // (optional) the seq the page's own snapshot is at
//   });
//   live.start();
//
// It connects with the page's credentials (the cookie, proven by base.html's CSRF token),
// subscribes to the hall and keeps the last seq applied. On every (re)connect, a server
// restart included, it fetches `/api/v1/halls/{hall}/events?after=<last seq>` page by page
// and applies what it missed, in order; events already applied are dropped, so each one is
// applied exactly once whatever arrives twice. A page with neither `since` nor `onResync`
// starts with the events after it connected. `onResync` is called at the start (when there
// is no `since`), when the server's log is behind the page (a new database), and when the
// page missed more than RESYNC_AFTER events (a snapshot is cheaper than replaying them).
//
// The customer's phone page follows its ticket instead (it has no credentials):
//
//   Live.track(token, (ticket) => render(ticket), (online) => ...);
//
// Both show base.html's "reconnecting" bar while offline.
import { io } from "/vendor/socket.io.esm.min.js";
import { api, csrfToken } from "./api.js";

const PAGE_LIMIT = 500;          // events per catch-up request
const RESYNC_AFTER = 5000;       // missed events beyond which a page with onResync takes a snapshot
const ACK_TIMEOUT_MS = 10000;
const RETRY_MS = 2000;           // after a failed catch-up while connected
const REFUSED_RETRY_MS = 10000;  // after the server refused or ended the connection
const TRACK_MIN_INTERVAL_MS = 1000;

/** Show or hide base.html's connection bar; `data-live` on the body says "online" once the
 * page has caught up (its first snapshot taken), "offline" while it is not. */
function showConnection(online) {
  const bar = document.getElementById("connection");
  if (bar) bar.hidden = online;
  document.body.classList.toggle("is-offline", !online);
  document.body.dataset.live = online ? "online" : "offline";
}

/** A Socket.IO connection that comes back by itself, even when the server refused or ended it. */
function connect(auth, { onConnect, onDown }) {
  const socket = io({ auth });
  let retry = null;
  const again = () => {
    clearTimeout(retry);
    retry = setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
  };
  socket.on("connect", onConnect);
  socket.on("connect_error", () => {
    onDown();
    if (!socket.active) again(); // refused by the server: the client does not retry by itself
  });
  socket.on("disconnect", (reason) => {
    onDown();
    if (reason === "io server disconnect") again(); // e.g. the device was revoked
  });
  return socket;
}

export class Live {
  constructor({ hall, onEvent, onStatus = () => {}, onResync = null, since = null }) {
    this.hall = hall;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onResync = onResync;
    this.lastSeq = since;       // the last seq applied; null until the first sync
    this.pending = new Map();   // seq -> event received ahead of a gap
    this.online = null;
    this.syncing = null;        // the running sync, if any
    this.socket = null;
  }

  start() {
    this.socket = connect({ csrf: csrfToken() }, {
      onConnect: () => this.sync(),
      onDown: () => this.setOnline(false),
    });
    this.socket.on("hall_event", (evt) => this.receive(evt));
    return this;
  }

  stop() {
    this.socket?.disconnect();
  }

  /** Subscribe and catch up; runs once at a time (a second call waits for the first). */
  sync() {
    if (!this.syncing) {
      this.syncing = this.subscribeAndCatchUp()
        .then(() => this.setOnline(true))
        .catch((error) => {
          console.warn("live: sync failed", error);
          this.setOnline(false);
          setTimeout(() => this.socket.connected && this.sync(), RETRY_MS);
        })
        .finally(() => { this.syncing = null; });
    }
    return this.syncing;
  }

  async subscribeAndCatchUp() {
    const ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("subscribe", { hall: this.hall });
    if (ack.error) throw new Error(`subscribe: ${ack.error.code}`);
    const serverLast = ack.last_seq;
    if (this.lastSeq !== null && serverLast < this.lastSeq) {
      this.lastSeq = null; // the server's log is not the one the page followed
      this.pending.clear();
    }
    const behind = this.lastSeq === null ? Infinity : serverLast - this.lastSeq;
    if (this.lastSeq === null || (this.onResync && behind > RESYNC_AFTER)) {
      const seq = this.onResync ? await this.onResync() : undefined;
      this.lastSeq = Number.isInteger(seq) ? seq : serverLast;
      this.drain();
    }
    await this.catchUp(serverLast);
  }

  /** Fetch and apply the events after the last applied one, at least up to `target`. */
  async catchUp(target) {
    const base = `/halls/${encodeURIComponent(this.hall)}/events`;
    while (this.lastSeq < target || this.pending.size) {
      const before = this.lastSeq;
      const page = await api("GET", `${base}?after=${this.lastSeq}&limit=${PAGE_LIMIT}`);
      for (const evt of page.events) this.pending.set(evt.seq, evt);
      this.drain();
      target = Math.max(target, page.last_seq);
      if (this.lastSeq === before) break; // nothing newer in the log (yet)
    }
  }

  receive(evt) {
    if (this.lastSeq !== null && evt.seq <= this.lastSeq) return;
    this.pending.set(evt.seq, evt);
    if (this.lastSeq === null) return; // the first sync applies it
    this.drain();
    if (this.pending.size && !this.syncing) this.sync(); // a gap: fetch what is missing
  }

  /** Apply the pending events that follow the last applied one, in order. */
  drain() {
    for (const seq of this.pending.keys()) {
      if (seq <= this.lastSeq) this.pending.delete(seq);
    }
    while (this.pending.has(this.lastSeq + 1)) {
      const evt = this.pending.get(this.lastSeq + 1);
      this.pending.delete(evt.seq);
      this.lastSeq = evt.seq;
      try {
        this.onEvent(evt);
      } catch (error) {
        console.error("live: onEvent failed", evt, error);
      }
    }
  }

  setOnline(online) {
    if (online === this.online) return;
    this.online = online;
    showConnection(online);
    this.onStatus(online);
  }

  /** Follow one customer's ticket: `onChange(ticket)` with GET /api/v1/track/{token}'s answer
   * at the start, after each change in its hall (at most once a second), on every reconnect
   * and when the phone wakes up. */
  static track(token, onChange, onStatus = () => {}) {
    return new TicketTracker(token, onChange, onStatus).start();
  }
}

class TicketTracker {
  constructor(token, onChange, onStatus) {
    this.path = `/track/${encodeURIComponent(token)}`;
    this.token = token;
    this.onChange = onChange;
    this.onStatus = onStatus;
    this.online = null;
    this.lastFetch = 0;
    this.timer = null;
    this.fetching = false;
    this.again = false;
  }

  start() {
    this.socket = connect({ track: this.token }, {
      onConnect: () => this.refresh(),
      onDown: () => this.setOnline(false),
    });
    this.socket.on("hall_ping", () => this.refreshSoon());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refresh();
    });
    return this;
  }

  stop() {
    this.socket?.disconnect();
  }

  /** Refresh, but not more often than once a second; the last ping is never lost. */
  refreshSoon() {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFetch + TRACK_MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => { this.timer = null; this.refresh(); }, wait);
  }

  async refresh() {
    if (this.fetching) { this.again = true; return; }
    this.fetching = true;
    this.lastFetch = Date.now();
    try {
      const ticket = await api("GET", this.path);
      this.onChange(ticket);
      this.setOnline(this.socket.connected);
    } catch (error) {
      console.warn("live: fetching the ticket failed", error);
      if (error.status === 0) { // unreachable; a refused answer waits for the next change
        this.setOnline(false);
        if (this.socket.connected) setTimeout(() => this.refresh(), RETRY_MS);
      }
    } finally {
      this.fetching = false;
      if (this.again) { this.again = false; this.refreshSoon(); }
    }
  }

  setOnline(online) {
    if (online === this.online) return;
    this.online = online;
    showConnection(online);
    this.onStatus(online);
  }
}
