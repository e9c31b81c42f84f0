// Taking a number so that no customer ever gets two.
//
//   const ticket = await takeNumber("demo", { service: "fee", priority: "green" }, { onLost });
//
// One touch is one request id (client_request_id). When the answer is lost (the server was
// unreachable, did not answer in time, or failed with a 5xx), the same request is sent again
// with the same id until the server answers: the server gives the same id the same ticket,
// so a number issued before the answer was lost comes back instead of a second one. A 4xx
// answer (the service stopped, an unknown appointment, ...) ends it as an ApiError.
import { api, ApiError } from "/static/js/api.js";

const TIMEOUT_MS = 4000;
const FIRST_RETRY_MS = 300;
const MAX_RETRY_MS = 2000;

/** A random id: crypto.randomUUID where the page is a secure context (https, localhost),
 * else the same version-4 UUID from crypto.getRandomValues (a kiosk on a LAN's plain http). */
export function requestId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True for a failure after which the request may have been carried out: send it again. */
export function answerLost(error) {
  return error instanceof ApiError && (error.unreachable || error.status >= 500);
}

/** Issue a ticket for `choice` ({service, priority, appointment?}); `onLost(error, attempt)`
 * is told each time an answer was lost, before the retry. */
export async function takeNumber(hall, choice, { onLost = () => {}, timeoutMs = TIMEOUT_MS } = {}) {
  const body = { ...choice, client_request_id: requestId() };
  const path = `/halls/${encodeURIComponent(hall)}/tickets`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await api("POST", path, body, { timeoutMs });
    } catch (error) {
      if (!answerLost(error)) throw error;
      onLost(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), MAX_RETRY_MS)));
    }
  }
}
