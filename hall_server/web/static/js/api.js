// Calls to the hall server's API (CONTRACT.md) from its own pages.
//
//   import { api, ApiError } from "/static/js/api.js";
//   const hall = await api("GET", "/halls/demo");                 // relative to /api/v1
//   await api("POST", "/halls/demo/tickets", { service: "fee" }, { timeoutMs: 5000 });
//
// A path starting with "/api/" is taken as it is. Every request carries the page's CSRF
// token (the <meta name="csrf-token"> of base.html) as X-CSRF-Token, so the API knows the
// page's cookie. The answer is the parsed JSON, or null for 204. Failures throw ApiError:
// `status` 0 when the server could not be reached or did not answer in time.

const BASE = "/api/v1";
const DEFAULT_TIMEOUT_MS = 10000;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }

  /** True when the server was not reached at all (offline, restarting, timed out). */
  get unreachable() {
    return this.status === 0;
  }
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

export async function api(method, path, body, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const headers = { Accept: "application/json" };
  const csrf = csrfToken();
  if (csrf) headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(path.startsWith("/api/") ? path : BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
    });
  } catch (error) {
    const timedOut = error.name === "AbortError";
    throw new ApiError(0, timedOut ? "timeout" : "unreachable", timedOut ? "no answer in time" : error.message);
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    // a proxy's HTML error page, or a connection cut while reading: an answer that was lost
    if (response.ok) throw new ApiError(0, "unreachable", "the answer was cut off");
  }
  if (!response.ok) {
    const error = data?.error || {};
    throw new ApiError(response.status, error.code || `http_${response.status}`, error.message || response.statusText);
  }
  return data;
}
