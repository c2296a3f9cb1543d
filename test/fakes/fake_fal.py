#!/usr/bin/env python3
"""Fake fal.ai queue API for image-to-image models.

    POST /{model...}                           submit (Authorization: Key ...) -> IN_QUEUE ticket
    GET  /{owner}/{app}/requests/{id}/status   202 IN_QUEUE / IN_PROGRESS, 200 COMPLETED
    GET  /{owner}/{app}/requests/{id}          the result (images[0].url on this server)
    PUT  /{owner}/{app}/requests/{id}/cancel   202 CANCELLATION_REQUESTED
    GET  /files/{id}.png                       the image (no key needed; a key sent here is counted
                                               as "download_with_key" in /_stats)

A request "processes" for latency_ms (/_control default, or [[fault:latency=MS]]) after submit.
Counting key: [[id:NAME]] in the prompt, else the seed, else a prompt hash.

Faults (in the prompt, see fake_common.py for syntax; xN = first N requests of the key only):
    NNN                 submit answers HTTP NNN ({"detail": ...}; 422 gives a FastAPI detail list)
    status_NNN          status polls answer HTTP NNN
    result_NNN          the result answers HTTP NNN (422: detail list, like a model validation error)
    user_timeout        the result answers 504 with X-Fal-Request-Timeout-Type: user
    moderation          the result has has_nsfw_concepts [true]
    data_uri            the result's image URL is a data: URI
    foreign_url         status/response URLs point to another origin (http://localhost:port)
    download_NNN        the image download answers HTTP NNN
    notimage / truncated / big=N     the downloaded bytes are not an image / half a PNG / N bytes
    hang                the submit never answers;  hang_download: the download never answers
    lost                status polls answer 404 (fal forgot the request)
"""

import base64
import json
import re
import threading
import time
import uuid
from urllib.parse import urlparse

from fake_common import BaseHandler, hang, parse_faults, request_key, serve

STATUS_RE = re.compile(r"^/([^/]+)/([^/]+)/requests/([0-9a-f-]+)(/status|/cancel)?$")
FILE_RE = re.compile(r"^/files/([0-9a-f-]+)\.(png|jpeg|jpg)$")

JOBS = {}
JOBS_LOCK = threading.Lock()


def detail(msg, error_type=None):
    body = {"detail": msg}
    if error_type:
        body["error_type"] = error_type
    return body


def validation_error(field, msg="field required"):
    return {"detail": [{"loc": ["body", field], "msg": msg, "type": "value_error.missing"}]}


def error_for(code, where):
    if code == 422:
        return validation_error("image_url", "Could not load the image from image_url (fake).")
    if code == 401:
        return detail("No user found for Key ID and Secret")
    if code == 503:
        return detail("Runner disconnected (fake)", "runner_disconnected")
    if code == 504:
        return detail("Request timed out", "request_timeout")
    return detail(f"fake {where} failure {code}")


class FalHandler(BaseHandler):
    def authorised(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Key ") or len(auth) <= 4:
            self.send_json(401, detail("Missing or malformed Authorization header; use 'Key <FAL_KEY>'"))
            return False
        return True

    def fault_map(self, job_or_key, faults):
        return {f.name: f for f in faults if self.state.fault_fires(job_or_key, f)}

    # --- submit -----------------------------------------------------------------------------
    def do_POST(self):
        if self.handle_control():
            return
        raw = self.read_body()
        path = urlparse(self.path).path.strip("/")
        if not path or path.startswith("files") or "/requests/" in path:
            self.send_json(404, detail("Not found"))
            return
        if not self.authorised():
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self.send_json(400, detail("Body is not JSON"))
            return
        prompt = body.get("prompt") if isinstance(body, dict) else None
        seed = body.get("seed") if isinstance(body, dict) else None
        rkey = request_key(prompt or "") if (prompt and "[[id:" in prompt) or seed is None else f"seed:{seed}"
        self.state.count(rkey, "submit")
        faults = parse_faults(prompt or "")
        names = self.fault_map((rkey, "submit"), [f for f in faults if f.name.isdigit() or f.name == "hang"])
        if "hang" in names:
            hang()
            return
        for name in names:
            if name.isdigit():
                code = int(name)
                self.send_json(code, error_for(code, "submit"))
                return
        if not isinstance(prompt, str) or not prompt:
            self.send_json(422, validation_error("prompt"))
            return
        image_url = body.get("image_url")
        if not isinstance(image_url, str) or not image_url:
            self.send_json(422, validation_error("image_url"))
            return
        if image_url.startswith("data:"):
            try:
                meta, data = image_url[5:].split(",", 1)
                base64.b64decode(data, validate=True)
                assert meta.endswith(";base64")
            except Exception:  # noqa: BLE001 - any parse problem is the caller's fault
                self.send_json(422, validation_error("image_url", "Invalid data URI"))
                return
        latency = self.state.latency_ms
        for f in faults:
            if f.name == "latency":
                latency = int(f.value or 0)
        owner, app = (path.split("/") + ["app"])[:2]
        rid = str(uuid.uuid4())
        now = time.monotonic()
        job = {"id": rid, "key": rkey, "faults": faults, "created": now, "ready_at": now + latency / 1000.0,
               "cancelled": False, "seed": seed if seed is not None else 42, "prompt": prompt}
        with JOBS_LOCK:
            JOBS[rid] = job
        base = self.base_url()
        if any(f.name == "foreign_url" for f in faults):
            base = base.replace("127.0.0.1", "localhost")
        root = f"{base}/{owner}/{app}/requests/{rid}"
        self.send_json(200, {"status": "IN_QUEUE", "request_id": rid, "queue_position": 0,
                             "response_url": root, "status_url": root + "/status", "cancel_url": root + "/cancel"},
                       {"x-fal-request-id": rid})

    # --- status, result, download -----------------------------------------------------------
    def do_GET(self):
        if self.handle_control():
            return
        path = urlparse(self.path).path
        m = FILE_RE.match(path)
        if m:
            self.serve_file(m.group(1))
            return
        m = STATUS_RE.match(path)
        if not m or m.group(4) == "/cancel":
            self.send_json(404, detail("Not found"))
            return
        if not self.authorised():
            return
        with JOBS_LOCK:
            job = JOBS.get(m.group(3))
        if m.group(4) == "/status":
            self.serve_status(job)
        else:
            self.serve_result(job)

    def do_PUT(self):
        self.read_body()
        m = STATUS_RE.match(urlparse(self.path).path)
        if not m or m.group(4) != "/cancel":
            self.send_json(404, detail("Not found"))
            return
        if not self.authorised():
            return
        with JOBS_LOCK:
            job = JOBS.get(m.group(3))
        if job is None:
            self.send_json(404, {"status": "NOT_FOUND"})
            return
        self.state.count(job["key"], "cancel")
        job["cancelled"] = True
        self.send_json(202, {"status": "CANCELLATION_REQUESTED"})

    def serve_status(self, job):
        if job is None:
            self.send_json(404, detail("Request not found"))
            return
        self.state.count(job["key"], "status")
        names = self.fault_map((job["key"], "status"), [f for f in job["faults"] if f.name.startswith("status_") or f.name == "lost"])
        if "lost" in names:
            self.send_json(404, detail("Request not found"))
            return
        for name in names:
            if name.startswith("status_"):
                code = int(name.split("_", 1)[1])
                self.send_json(code, error_for(code, "status"))
                return
        now = time.monotonic()
        root = f"{self.base_url()}{urlparse(self.path).path[: -len('/status')]}"
        if now < job["ready_at"]:
            halfway = job["created"] + (job["ready_at"] - job["created"]) / 2
            if now < halfway:
                self.send_json(202, {"status": "IN_QUEUE", "queue_position": 0, "response_url": root})
            else:
                self.send_json(202, {"status": "IN_PROGRESS", "response_url": root,
                                     "logs": [{"message": "step 10/28", "level": "INFO", "source": "user",
                                               "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S")}]})
            return
        self.send_json(200, {"status": "COMPLETED", "response_url": root, "logs": [],
                             "metrics": {"inference_time": round(job["ready_at"] - job["created"], 3)}})

    def serve_result(self, job):
        if job is None:
            self.send_json(404, detail("Request not found"))
            return
        self.state.count(job["key"], "result")
        if time.monotonic() < job["ready_at"]:
            self.send_json(400, detail("Request is still in progress"))
            return
        names = self.fault_map((job["key"], "result"), [f for f in job["faults"] if f.name.startswith("result_")
                                                       or f.name in ("user_timeout",)])
        if "user_timeout" in names:
            self.send_json(504, detail("Request timed out", "request_timeout"),
                           {"X-Fal-Request-Timeout-Type": "user", "X-Fal-Error-Type": "request_timeout"})
            return
        for name in names:
            if name.startswith("result_"):
                code = int(name.split("_", 1)[1])
                self.send_json(code, error_for(code, "result"))
                return
        all_names = {f.name for f in job["faults"]}
        px = self.state.image_px
        if "data_uri" in all_names:
            url = "data:image/png;base64," + self.state.png_b64()
        else:
            url = f"{self.base_url()}/files/{job['id']}.png"
        self.send_json(200, {"images": [{"url": url, "width": px, "height": px, "content_type": "image/png"}],
                             "timings": {"inference": 0.2}, "seed": job["seed"],
                             "has_nsfw_concepts": ["moderation" in all_names], "prompt": job["prompt"]},
                       {"x-fal-request-id": job["id"]})

    def serve_file(self, rid):
        with JOBS_LOCK:
            job = JOBS.get(rid)
        if job is None:
            self.send_json(404, detail("File not found"))
            return
        self.state.count(job["key"], "download")
        if self.headers.get("Authorization"):
            self.state.count(job["key"], "download_with_key")
        self.send_file(job["key"], job["faults"])


if __name__ == "__main__":
    serve(FalHandler)
