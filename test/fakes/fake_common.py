"""Shared plumbing of the fake provider servers (python3 stdlib only).

Each fake listens on 127.0.0.1, port from argv[1] (default 0 = any free port), and prints the
chosen port as the first line of stdout. Behaviour per request is steered by markers inside the
prompt text:

    [[id:NAME]]           counting key for /_stats and for "xN" faults (else a prompt hash)
    [[fault:SPEC]]        SPEC = NAME[xN][:arg=value[:arg=value]]  e.g. 503, 503x2,
                          429:retry_after=2, 429:retryinfo=1.5s, latency=200, big=100000

"xN" makes a fault fire only for the first N requests of that key, then the request succeeds.

Control endpoints: GET /_stats (all counters) or /_stats?key=NAME, POST /_control with JSON
{"latency_ms": 200, "image_px": 64, "reset": true} to set defaults or reset counters.
"""

import base64
import hashlib
import json
import os
import re
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

FAULT_RE = re.compile(r"\[\[fault:([^\]]+)\]\]")
ID_RE = re.compile(r"\[\[id:([^\]]+)\]\]")
TIMES_RE = re.compile(r"^(.*?)x(\d+)$")

SHUTDOWN = threading.Event()


class Fault:
    def __init__(self, spec):
        head, *rest = spec.split(":")
        self.value = None
        if "=" in head:
            head, self.value = head.split("=", 1)
        self.times = None
        m = TIMES_RE.match(head)
        if m and m.group(1):
            head, self.times = m.group(1), int(m.group(2))
        self.name = head
        self.args = {}
        for item in rest:
            k, _, v = item.partition("=")
            self.args[k] = v

    def __repr__(self):
        return f"Fault({self.name!r}, value={self.value!r}, times={self.times}, args={self.args})"


def parse_faults(text):
    return [Fault(spec) for spec in FAULT_RE.findall(text or "")]


def request_key(text, extra=""):
    m = ID_RE.search(text or "")
    if m:
        return m.group(1)
    return hashlib.sha256(((text or "") + extra).encode("utf-8", "replace")).hexdigest()[:16]


def make_png(width, height):
    """A valid RGB PNG gradient, written with zlib + struct (no PIL)."""
    reds = bytes((x * 255) // max(1, width - 1) for x in range(width))
    blues = b"\x80" * width
    rows = bytearray()
    row = bytearray(width * 3)
    row[0::3] = reds
    row[2::3] = blues
    for y in range(height):
        row[1::3] = bytes(((y * 255) // max(1, height - 1),)) * width
        rows.append(0)  # filter type None
        rows += row

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")


class State:
    """Counters and defaults shared by all handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.png_lock = threading.Lock()
        self.reset()
        self.latency_ms = 0
        self.image_px = 64
        self._png_cache = {}

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.total = 0
            self.keys = {}
            self.fault_counts = {}

    def count(self, key, what):
        with self.lock:
            self.total += 1
            per_key = self.keys.setdefault(key, {})
            per_key[what] = per_key.get(what, 0) + 1

    def fault_fires(self, key, fault):
        """True if the fault applies to this request of `key` (honours xN)."""
        if fault.times is None:
            return True
        with self.lock:
            n = self.fault_counts.get((key, fault.name), 0) + 1
            self.fault_counts[(key, fault.name)] = n
        return n <= fault.times

    def png(self):
        return self._png_and_b64()[0]

    def png_b64(self):
        """The PNG as base64 text, cached: encoding it per request costs more than serving it."""
        return self._png_and_b64()[1]

    def png_b64_json(self):
        """The base64 text as a JSON string literal, cached (see dumps_with_image)."""
        return self._png_and_b64()[2]

    def _png_and_b64(self):
        px = self.image_px
        with self.lock:
            entry = self._png_cache.get(px)
        if entry is None:
            with self.png_lock:  # one thread renders; a burst of requests must not all do it
                entry = self._png_cache.get(px)
                if entry is None:
                    data = make_png(px, px)
                    b64 = base64.b64encode(data).decode()
                    entry = (data, b64, json.dumps(b64))
                    with self.lock:
                        self._png_cache[px] = entry
        return entry

    def stats(self, key=None):
        with self.lock:
            if key is not None:
                return {"key": key, "counts": dict(self.keys.get(key, {}))}
            return {"total": self.total, "keys": {k: dict(v) for k, v in self.keys.items()}}


IMAGE_PLACEHOLDER = "__ROLLOY_FAKE_IMAGE__"


def dumps_with_image(obj, image_json):
    """json.dumps(obj) with the string IMAGE_PLACEHOLDER replaced by a pre-encoded JSON string:
    escaping megabytes of base64 per request would make the fake the bottleneck."""
    return json.dumps(obj).replace(json.dumps(IMAGE_PLACEHOLDER), image_json, 1).encode()


def hang():
    SHUTDOWN.wait(600)


class BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes. With Nagle's algorithm the body waits for the
    # ACK of the headers, which the client delays by up to 40 ms: every small answer took 40 ms
    # longer than the configured latency. Real front ends do not do that.
    disable_nagle_algorithm = True
    server_version = "rolloy-fake/1"
    state: State = None  # set by serve()

    def log_message(self, fmt, *args):  # keep test output clean
        pass

    def parse_request(self):
        # The request line has just been read: a provider's latency counts from here.
        self.arrived = time.monotonic()
        return super().parse_request()

    def answer_after(self, latency_ms):
        """Waits until latency_ms after the request arrived: the time the fake itself spent
        reading and parsing the request is part of the latency, as it would be at a provider."""
        remaining = self.arrived + latency_ms / 1000.0 - time.monotonic()
        if latency_ms and remaining > 0:
            SHUTDOWN.wait(remaining)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_bytes(self, status, body, content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        self.send_bytes(status, json.dumps(obj).encode(), "application/json", headers)

    def send_cut(self, status=200, declared=100000, sent=b'{"candidates": ['):
        """Promises `declared` bytes, sends fewer, closes: a transfer cut mid-body."""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.wfile.write(sent)
        self.wfile.flush()
        self.close_connection = True

    def send_file(self, key, faults, notimage_type="image/png"):
        """Serves the PNG as a CDN would, unless a download fault of `key` fires: download_NNN (an
        HTML error page), hang_download, notimage (HTML bytes labelled `notimage_type`),
        truncated (half the PNG), big=N (N random bytes)."""
        names = {f.name: f for f in faults
                 if (f.name.startswith("download_") or f.name in ("hang_download", "notimage", "truncated", "big"))
                 and self.state.fault_fires((key, "download"), f)}
        if "hang_download" in names:
            hang()
            return
        for name in names:
            if name.startswith("download_"):
                self.send_bytes(int(name.split("_", 1)[1]), b"<html><body>error</body></html>", "text/html")
                return
        image, content_type = self.state.png(), "image/png"
        if "notimage" in names:
            image, content_type = b"<html>this is not an image</html>", notimage_type
        elif "truncated" in names:
            image = image[: len(image) // 2]
        elif "big" in names:
            image = os.urandom(int(names["big"].value))
        self.send_bytes(200, image, content_type)

    def base_url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def handle_control(self):
        """Serves /_stats and /_control; True if it did."""
        parsed = urlparse(self.path)
        if parsed.path == "/_stats" and self.command == "GET":
            key = parse_qs(parsed.query).get("key", [None])[0]
            self.send_json(200, self.state.stats(key))
            return True
        if parsed.path == "/_control" and self.command == "POST":
            try:
                cfg = json.loads(self.read_body() or b"{}")
            except ValueError:
                self.send_json(400, {"detail": "control body is not JSON"})
                return True
            if cfg.get("reset"):
                self.state.reset()
            if "latency_ms" in cfg:
                self.state.latency_ms = int(cfg["latency_ms"])
            if "image_px" in cfg:
                self.state.image_px = max(1, int(cfg["image_px"]))
                self.state.png()  # render now, not inside the first burst of requests
            self.send_json(200, {"latency_ms": self.state.latency_ms, "image_px": self.state.image_px})
            return True
        return False


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        # Clients hanging up (timeouts, aborts, size caps) are part of the tests, not errors.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def serve(handler_cls):
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    # Many handler threads share one GIL; a short switch interval keeps the latency of a
    # thread that is ready to answer low while others parse or serialise.
    sys.setswitchinterval(0.0005)
    handler_cls.state = State()
    handler_cls.state.png()
    server = FakeServer(("127.0.0.1", port), handler_cls)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        SHUTDOWN.set()
        server.server_close()
