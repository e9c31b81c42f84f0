"""Real camera streams for the tests.

`RtspCamera`: GStreamer's RTSP server (Debian's
`gir1.2-gst-rtsp-server-1.0` with `gstreamer1.0-plugins-good`, through the system python3
and its `gi`), streaming a folder of JPEG pictures in a loop as Motion JPEG over RTP, the way
many IP cameras do. A test starts it, stops it (the camera's cable pulled) and starts it
again on the same address.

Run as a script by the system interpreter (the project's venv has no `gi`):
`/usr/bin/python3 camera_streams.py PORT FOLDER FPS`; it prints "ready" once it serves
rtsp://127.0.0.1:PORT/camera.

`MjpegCamera`: Motion JPEG over HTTP (multipart/x-mixed-replace), what many cheaper IP
cameras serve, from a small server in the test's process.
"""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
PATH = "/camera"
STARTUP_TIMEOUT_S = 20


def rtsp_missing() -> str | None:
    """None if the system python3 can serve RTSP, else why not (what to install)."""
    if not shutil.which(SYSTEM_PYTHON):
        return f"{SYSTEM_PYTHON} not found"
    check = ("import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0');"
             "from gi.repository import Gst, GstRtspServer; Gst.init(None);"
             "assert Gst.ElementFactory.find('rtpjpegpay') and Gst.ElementFactory.find('appsrc')")
    done = subprocess.run([SYSTEM_PYTHON, "-c", check], capture_output=True, text=True)
    if done.returncode:
        return ("no GStreamer RTSP server for the system python3 (apt-get install python3-gi "
                f"gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good): {done.stderr.strip().splitlines()[-1:]}")
    return None


class RtspCamera:
    """The RTSP server as a process of its own, streaming the JPEG files of `folder` (in name
    order, looped) at `fps`."""

    def __init__(self, port: int, folder: Path, fps: int = 10) -> None:
        self.port, self.folder, self.fps = port, folder, fps
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}{PATH}"

    def start(self) -> None:
        assert self.process is None
        self.process = subprocess.Popen([SYSTEM_PYTHON, __file__, str(self.port), str(self.folder), str(self.fps)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError(f"the RTSP server did not start: {line}")

    def freeze(self) -> None:
        """The camera hangs: its connections stay open and nothing comes (SIGSTOP)."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        """The camera goes away at once (SIGKILL: no goodbye to its clients)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None


class MjpegCamera:
    """An HTTP server streaming `pictures` (JPEG bytes) in a loop at `fps` to each client, until stopped."""

    def __init__(self, pictures: list[bytes], fps: int = 10) -> None:
        camera = self

        class Stream(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                sent = 0
                try:
                    while not camera.stopped.is_set():
                        picture = pictures[sent % len(pictures)]
                        self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n"
                                         + f"Content-Length: {len(picture)}\r\n\r\n".encode() + picture + b"\r\n")
                        sent += 1
                        time.sleep(1 / fps)
                except OSError:  # the client left
                    pass

            def log_message(self, *args) -> None:
                pass

        self.stopped = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Stream)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stream.mjpg"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()


def _serve(port: int, folder: Path, fps: int) -> None:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)
    pictures = [path.read_bytes() for path in sorted(folder.glob("*.jpg"))]
    if not pictures:
        raise SystemExit(f"no .jpg pictures in {folder}")
    width, height = _jpeg_size(pictures[0])
    frame_ns = Gst.SECOND // fps

    class Factory(GstRtspServer.RTSPMediaFactory):
        def do_create_element(self, url):
            return Gst.parse_launch(
                f"appsrc name=src is-live=true format=time caps=image/jpeg,width={width},height={height},"
                f"framerate={fps}/1 ! rtpjpegpay name=pay0 pt=26")

        def do_configure(self, media):
            source = media.get_element().get_child_by_name("src")
            sent = [0]

            def need_data(src, _length):
                buffer = Gst.Buffer.new_wrapped(pictures[sent[0] % len(pictures)])
                buffer.pts, buffer.duration = sent[0] * frame_ns, frame_ns
                sent[0] += 1
                src.emit("push-buffer", buffer)

            source.connect("need-data", need_data)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    factory = Factory()
    factory.set_shared(True)
    server.get_mount_points().add_factory(PATH, factory)
    if not server.attach(None):
        raise SystemExit(f"cannot serve on port {port}")
    print("ready", flush=True)
    GLib.MainLoop().run()


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """The width and height in a JPEG's start-of-frame segment."""
    at = 2
    while at < len(data):
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[at + 7:at + 9], "big"), int.from_bytes(data[at + 5:at + 7], "big")
        at += 2 + length
    raise ValueError("no start-of-frame in the JPEG")


if __name__ == "__main__":
    _serve(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
