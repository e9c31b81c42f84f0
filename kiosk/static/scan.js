// The kiosk's camera reading an appointment's QR code (the "scan" screen of kiosk.html).
//
// The kiosk PC's camera is opened with navigator.mediaDevices.getUserMedia, which browsers
// offer only in a secure context: the page on https://, or on http://localhost, or a kiosk
// browser started with --unsafely-treat-insecure-origin-as-secure=http://SERVER:8000 (and, so
// that nobody has to allow the camera by hand, --use-fake-ui-for-media-stream or the kiosk
// policy VideoCaptureAllowedUrls). Without it `mediaDevices` is undefined and the page says
// the camera cannot be opened and offers typing the code.
//
// Every SCAN_EVERY_MS one frame, scaled to at most MAX_WIDTH wide, goes as a JPEG to
// POST /halls/{hall}/appointments/scan, one at a time; the server reads it in memory and
// keeps nothing. The answer's `code` (this hall's appointment) ends the scan; a `reason`
// (another hall's code, a QR code that is no appointment) is shown while scanning goes on.
import { csrfToken } from "/static/js/api.js";

const SCAN_EVERY_MS = 400;
const MAX_WIDTH = 1280;
const JPEG_QUALITY = 0.85;
const ANSWER_TIMEOUT_MS = 4000;

export class Scanner {
  /**
   * @param {object} options
   * @param {HTMLVideoElement} options.video where the customer sees themself (mirrored by CSS)
   * @param {string} options.hall
   * @param {(code: string) => void} options.onCode this hall's appointment code was read
   * @param {(reason: string) => void} options.onReason a QR code was read that checks nothing in
   */
  constructor({ video, hall, onCode, onReason }) {
    this.video = video;
    this.path = `/api/v1/halls/${encodeURIComponent(hall)}/appointments/scan`;
    this.onCode = onCode;
    this.onReason = onReason;
    this.canvas = document.createElement("canvas");
    this.stream = null;
    this.timer = null;
    this.running = false;
  }

  /** Open the camera and start reading; throws when the camera cannot be opened. */
  async start() {
    this.stop();
    this.running = true;
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("no camera access in this context");
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" }, audio: false,
    });
    if (!this.running) {  // cancelled while the camera was opening
      stream.getTracks().forEach((track) => track.stop());
      return;
    }
    this.stream = stream;
    this.video.srcObject = stream;
    await this.video.play();
    this.schedule();
  }

  /** Stop reading and release the camera (its light goes off). */
  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = null;
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  schedule() {
    if (this.running) this.timer = setTimeout(() => this.readOne(), SCAN_EVERY_MS);
  }

  async readOne() {
    try {
      const frame = await this.frame();
      const answer = frame && this.running ? await this.send(frame) : null;
      if (!this.running || !answer) return;
      if (answer.code) {
        this.stop();
        this.onCode(answer.code);
        return;
      }
      if (answer.reason) this.onReason(answer.reason);
    } catch (error) {
      console.warn("kiosk scan:", error);  // a lost frame: the next one is sent
    } finally {
      this.schedule();
    }
  }

  /** The current picture as a JPEG blob, at most MAX_WIDTH wide; null before the first frame. */
  frame() {
    const { videoWidth: width, videoHeight: height } = this.video;
    if (!width || !height) return Promise.resolve(null);
    const scale = Math.min(1, MAX_WIDTH / width);
    this.canvas.width = Math.round(width * scale);
    this.canvas.height = Math.round(height * scale);
    this.canvas.getContext("2d").drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    return new Promise((resolve) => this.canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
  }

  async send(frame) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ANSWER_TIMEOUT_MS);
    try {
      const response = await fetch(this.path, {
        method: "POST",
        headers: { "Content-Type": "image/jpeg", Accept: "application/json", "X-CSRF-Token": csrfToken() },
        body: frame,
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });
      return response.ok ? await response.json() : null;
    } finally {
      clearTimeout(timer);
    }
  }
}
