#!/usr/bin/env python3
"""Fake Replicate HTTP API (official-model predictions, e.g. black-forest-labs/flux-dev img2img).

    POST /v1/models/{owner}/{name}/predictions  create (Authorization: Bearer ...; Prefer: wait[=N])
    GET  /v1/predictions[?created_after=ISO]    list, newest first, PAGE_SIZE a page (100; POST
                                                /_replicate {"page_size": N} changes it), with
                                                `next`/`previous` cursor URLs; every prediction
                                                with its whole input (the reference included)
    GET  /v1/predictions/{id}                   the prediction
    POST /v1/predictions/{id}/cancel            cancel (200 and the prediction)
    GET  /delivery/{id}/out-{i}.png             an output file, as replicate.delivery serves it

Output URLs use http://localhost:PORT/delivery/...: the same server on another origin than the
API's http://127.0.0.1:PORT, as replicate.delivery is another host than api.replicate.com. A
download that carries an Authorization header is answered 401 and counted as
"download_with_key". Files are PNGs whatever output_format says (the fake has no JPEG encoder).

A prediction runs for latency_ms (/_control default, or [[fault:latency=MS]]): "starting" for
its first quarter, then "processing" (logs show progress), then "succeeded" with output = an
array of num_outputs URLs (a single URL string for models whose name ends in "-pro").
`Prefer: wait=N` (bare `wait`: 60) holds the create until the prediction finished or N s passed,
whichever is first; the answer is 201 when finished, else 202 with the running prediction.
Bodies follow Replicate: prediction objects, RFC 7807 errors ({"title","detail","status"},
422 with "invalid_fields").

Counting key: [[id:NAME]] in the prompt, else the seed, else a prompt hash. Counters per key:
"create" (requests), "created" (predictions made: billable), "get", "cancel", "download",
"download_with_key", "num_outputs=N" (what the create asked for, "unset" when it sent none),
"cancel_after=V" (the Cancel-After header); lists count under key "_list" ("list").
A test asserts one prediction per image with created == 1.

Cancel-After: a prediction still running that long after its creation ends "canceled".
Models whose name ends in "flux-kontext-pro" take the reference as `input_image` and refuse
`image` and `num_outputs` (422 additional_property_not_allowed), as Replicate's schema does.

Faults (in the prompt, see fake_common.py for syntax; xN = first N requests of the key only):
    NNN                 create answers HTTP NNN and creates nothing (401, 402, 404, 422, 429, 5xx);
                        429 takes :retry_after=S (a Retry-After header)
    created_NNN         create makes the prediction, then answers HTTP NNN (a gateway losing it)
    drop                create makes the prediction, then closes the connection without an answer
    hang                create makes the prediction and never answers
    echo_key            error bodies quote the Authorization header (redaction tests)
    latency=MS          the prediction runs MS ms
    get_NNN / lost      polls answer HTTP NNN / 404 (429 takes :retry_after=S)
    nsfw=K              the safety checker drops K of the num_outputs images (all of them: the
                        prediction fails with flux's NSFW error)
    empty_output        succeeded with output []
    fail                failed with error "E1001 ... CUDA out of memory"
    canceled / aborted  the prediction ends canceled / aborted
    single              output is one URL string (as the pro models)
    data_uri            output is a data: URI
    foreign_url         urls.get/urls.cancel on http://localhost:PORT (another origin)
    expired             once finished: output null, data_removed true, files 404
    download_NNN        the file answers HTTP NNN;  hang_download: never answers
    notimage / big=N    the file is HTML / N random bytes
"""

import base64
import json
import re
import secrets
import threading
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

from fake_common import SHUTDOWN, BaseHandler, hang, parse_faults, request_key, serve

CREATE_RE = re.compile(r"^/v1/models/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)/predictions$")
PRED_RE = re.compile(r"^/v1/predictions/([a-z0-9]+)(/cancel)?$")
FILE_RE = re.compile(r"^/delivery/([a-z0-9]+)/out-(\d+)\.png$")
NSFW_ERROR = "All generated images contained NSFW content. Try running it again with a different prompt."
FORMATS = ("webp", "jpg", "png")

JOBS = {}
JOBS_LOCK = threading.Lock()
PAGE_SIZE = [100]
DURATION_RE = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


def problem(status, title, detail, **extra):
    return {"title": title, "detail": detail, "status": status, **extra}


def invalid(field, kind, description):
    return problem(422, "Input validation failed", f"- {field}: {description}\n",
                   invalid_fields=[{"type": kind, "field": field, "description": description}])


def iso(t):
    return None if t is None else datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error_for(code, token=""):
    echo = f" (sent: Bearer {token})" if token else ""
    if code == 401:
        return problem(401, "Unauthenticated", "You did not pass a valid authentication token" + echo)
    if code == 402:
        return problem(402, "Insufficient credit", "You have insufficient credit to run this model. Go to "
                       "https://replicate.com/account/billing#billing to purchase credit." + echo)
    if code == 404:
        return {"detail": "The requested resource could not be found." + echo, "status": 404}
    if code == 422:
        return invalid("input.prompt_strength", "number_lte", "Must be less than or equal to 1" + echo)
    if code == 429:
        return {"detail": "Request was throttled. Expected available in 1 second." + echo, "status": 429}
    return problem(code, "Internal Server Error", f"fake failure {code}" + echo)


def parse_iso(text):
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def cancel_after_seconds(header):
    """Seconds of a Cancel-After header (30s, 5m, 1h30m, 30), None when absent or invalid."""
    m = DURATION_RE.match((header or "").strip())
    if not header or not m or not any(m.groups()):
        return None
    h, mi, se = (int(g or 0) for g in m.groups())
    total = h * 3600 + mi * 60 + se
    return total if total >= 5 else None


def check_input(inp, model=""):
    """A 422 body for a bad flux-dev (or flux-kontext-pro) input, or None."""
    if isinstance(inp, dict) and model.endswith("flux-kontext-pro"):
        for extra in ("image", "num_outputs"):
            if extra in inp:
                return invalid("input", "additional_property_not_allowed",
                               f"Additional property {extra} is not allowed")
    if not isinstance(inp, dict):
        return problem(422, "Input validation failed", "- input: Invalid type. Expected: object\n",
                       invalid_fields=[{"type": "invalid_type", "field": "input", "description": "Expected: object"}])
    if not isinstance(inp.get("prompt"), str) or not inp["prompt"]:
        return invalid("input", "required", "prompt is required")
    image = inp.get("image", inp.get("input_image"))
    if image is not None:
        if not isinstance(image, str):
            return invalid("input.image", "format", "Does not match format 'uri'")
        if image.startswith("data:"):
            try:
                meta, data = image[5:].split(",", 1)
                assert meta.endswith(";base64")
                base64.b64decode(data, validate=True)
            except Exception:  # noqa: BLE001 - any parse problem is the caller's fault
                return invalid("input.image", "format", "Does not match format 'uri'")
        elif not image.startswith(("http://", "https://")):
            return invalid("input.image", "format", "Does not match format 'uri'")
    strength = inp.get("prompt_strength", 0.8)
    if not isinstance(strength, (int, float)) or strength > 1:
        return invalid("input.prompt_strength", "number_lte", "Must be less than or equal to 1")
    if strength < 0:
        return invalid("input.prompt_strength", "number_gte", "Must be greater than or equal to 0")
    n = inp.get("num_outputs", 1)
    if not isinstance(n, int) or not 1 <= n <= 4:
        return invalid("input.num_outputs", "number_lte", "Must be less than or equal to 4")
    if inp.get("output_format", "webp") not in FORMATS:
        return invalid("input.output_format", "enum", "output_format must be one of the following: "
                       + ", ".join(f'"{f}"' for f in FORMATS))
    return None


class ReplicateHandler(BaseHandler):
    def token(self):
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") and len(auth) > 7 else None

    def authorised(self):
        if self.token() is None:
            self.send_json(401, error_for(401))
            return False
        return True

    def fires(self, key, faults, pred):
        return {f.name: f for f in faults if pred(f.name) and self.state.fault_fires(key, f)}

    def api_base(self, job):
        base = self.base_url()
        return base.replace("127.0.0.1", "localhost") if job["foreign"] else base

    def prediction(self, job):
        now = time.monotonic()
        status, output, error, logs = "starting", None, None, ""
        started = job["created"] + (job["ready_at"] - job["created"]) / 4
        limit = job.get("cancel_after")
        if limit is not None and job["created"] + limit < job["ready_at"] and now >= job["created"] + limit:
            status = "canceled"  # Cancel-After ran out before it finished
        elif job["canceled_at"] is not None and job["canceled_at"] < job["ready_at"]:
            status = "canceled"
        elif now >= job["ready_at"]:
            status, output, error, logs = job["final"]
        elif now >= started:
            status = "processing"
            logs = f"Using seed: {job['seed']}\n 50%|#####     | 14/28"
        done = status in ("succeeded", "failed", "canceled", "aborted")
        removed = done and "expired" in job["names"]
        if removed:
            output = None
        wall = job["wall"]
        get = f"{self.api_base(job)}/v1/predictions/{job['id']}"
        return {"id": job["id"], "model": job["model"], "version": "hidden", "input": job["input"],
                "logs": logs, "output": output, "data_removed": removed, "error": error, "status": status,
                "created_at": iso(wall), "started_at": iso(wall + started - job["created"]) if status != "starting" else None,
                "completed_at": iso(wall + job["ready_at"] - job["created"]) if done else None, "source": "api",
                "metrics": {"predict_time": round(job["ready_at"] - started, 3)} if status == "succeeded" else {},
                "urls": {"get": get, "cancel": get + "/cancel", "web": f"https://replicate.com/p/{job['id']}"}}

    # --- create ---------------------------------------------------------------------------
    def do_POST(self):
        if self.handle_control():
            return
        raw = self.read_body()
        if urlparse(self.path).path == "/_replicate":
            PAGE_SIZE[0] = max(1, int(json.loads(raw or b"{}").get("page_size", PAGE_SIZE[0])))
            self.send_json(200, {"page_size": PAGE_SIZE[0]})
            return
        path = urlparse(self.path).path
        m = PRED_RE.match(path)
        if m and m.group(2):
            self.cancel(m.group(1))
            return
        m = CREATE_RE.match(path)
        if not m:
            self.send_json(404, error_for(404))
            return
        if not self.authorised():
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self.send_json(400, problem(400, "Bad Request", "The request body is not valid JSON"))
            return
        inp = body.get("input") if isinstance(body, dict) else None
        prompt = inp.get("prompt") if isinstance(inp, dict) and isinstance(inp.get("prompt"), str) else ""
        seed = inp.get("seed") if isinstance(inp, dict) else None
        key = request_key(prompt) if "[[id:" in prompt or seed is None else f"seed:{seed}"
        self.state.count(key, "create")
        faults = parse_faults(prompt)
        token = self.token() if any(f.name == "echo_key" for f in faults) else ""
        early = self.fires((key, "create"), faults, str.isdigit)
        for name, f in early.items():
            code = int(name)
            headers = {"Retry-After": f.args["retry_after"]} if code == 429 and "retry_after" in f.args else None
            self.send_json(code, error_for(code, token), headers)
            return
        self.state.count(key, f"num_outputs={inp.get('num_outputs', 'unset') if isinstance(inp, dict) else 'unset'}")
        if self.headers.get("Cancel-After"):
            self.state.count(key, "cancel_after=" + self.headers.get("Cancel-After"))
        bad = check_input(inp, m.group(1) + "/" + m.group(2))
        if bad:
            self.send_json(422, bad)
            return
        job = self.make_job(key, m.group(1) + "/" + m.group(2), inp, faults)
        job["cancel_after"] = cancel_after_seconds(self.headers.get("Cancel-After"))
        late = self.fires((key, "created"), faults, lambda n: n.startswith("created_") or n in ("drop", "hang"))
        wait = self.prefer_wait()
        if wait:
            SHUTDOWN.wait(max(0.0, min(job["ready_at"], self.arrived + wait) - time.monotonic()))
        if "hang" in late:
            hang()
            return
        if "drop" in late:
            self.close_connection = True  # the prediction exists; the client hears nothing
            return
        for name in late:
            code = int(name.split("_", 1)[1])
            self.send_json(code, error_for(code, token))
            return
        pred = self.prediction(job)
        self.send_json(201 if pred["status"] != "starting" and pred["status"] != "processing" else 202, pred,
                       {"Location": pred["urls"]["get"]})

    def prefer_wait(self):
        prefer = (self.headers.get("Prefer") or "").strip()
        if prefer == "wait":
            return 60
        m = re.fullmatch(r"wait=([1-9]|[1-5][0-9]|60)", prefer)
        return int(m.group(1)) if m else 0

    def make_job(self, key, model, inp, faults):
        names = {f.name: f for f in faults}
        latency = int(names["latency"].value or 0) if "latency" in names else self.state.latency_ms
        pid = base64.b32encode(secrets.token_bytes(16)).decode().lower().rstrip("=")[:26]
        n = inp.get("num_outputs", 1)
        kept = n - int(names["nsfw"].value or 0) if "nsfw" in names else n
        fmt_url = f"{self.base_url().replace('127.0.0.1', 'localhost')}/delivery/{pid}/out-{{}}.png"
        if "data_uri" in names:
            urls = ["data:image/png;base64," + self.state.png_b64()] * max(kept, 0)
        else:
            urls = [fmt_url.format(i) for i in range(max(kept, 0))]
        single = "single" in names or model.endswith("-pro")
        if "fail" in names:
            final = ("failed", None, "E1001: Prediction failed: CUDA out of memory.", "Traceback ...")
        elif "canceled" in names:
            final = ("canceled", None, None, "")
        elif "aborted" in names:
            final = ("aborted", None, None, "")
        elif kept <= 0 and "nsfw" in names:
            final = ("failed", None, NSFW_ERROR, "")
        elif "empty_output" in names:
            final = ("succeeded", [], None, "")
        else:
            final = ("succeeded", urls[0] if single and urls else urls, None, "100%|##########| 28/28")
        now = time.monotonic()
        shown = {k: v for k, v in inp.items() if k not in ("image", "input_image")}
        job = {"id": pid, "key": key, "model": model, "input": shown, "full_input": inp, "faults": faults, "names": names,
               "created": now, "wall": time.time(), "ready_at": now + latency / 1000.0, "final": final,
               "canceled_at": None, "seed": inp.get("seed", 42), "foreign": "foreign_url" in names}
        with JOBS_LOCK:
            JOBS[pid] = job
        self.state.count(key, "created")
        return job

    def cancel(self, pid):
        if not self.authorised():
            return
        with JOBS_LOCK:
            job = JOBS.get(pid)
        if job is None:
            self.send_json(404, error_for(404))
            return
        self.state.count(job["key"], "cancel")
        if job["canceled_at"] is None and time.monotonic() < job["ready_at"]:
            job["canceled_at"] = time.monotonic()
        self.send_json(200, self.prediction(job))

    # --- get, files -------------------------------------------------------------------------
    def do_GET(self):
        if self.handle_control():
            return
        path = urlparse(self.path).path
        m = FILE_RE.match(path)
        if m:
            self.serve_file(m.group(1))
            return
        if path == "/v1/predictions":
            if self.authorised():
                self.list_predictions()
            return
        m = PRED_RE.match(path)
        if not m or m.group(2):
            self.send_json(404, error_for(404))
            return
        if not self.authorised():
            return
        with JOBS_LOCK:
            job = JOBS.get(m.group(1))
        if job is None:
            self.send_json(404, error_for(404))
            return
        self.state.count(job["key"], "get")
        fired = self.fires((job["key"], "get"), job["faults"], lambda n: n.startswith("get_") or n == "lost")
        if "lost" in fired:
            self.send_json(404, error_for(404))
            return
        for name, f in fired.items():
            code = int(name.split("_", 1)[1])
            headers = {"Retry-After": f.args["retry_after"]} if "retry_after" in f.args else None
            self.send_json(code, error_for(code), headers)
            return
        self.send_json(200, self.prediction(job))

    def list_predictions(self):
        """GET /v1/predictions: newest first, PAGE_SIZE a page, cursor URLs (Replicate's shape)."""
        query = parse_qs(urlparse(self.path).query)
        after = query.get("created_after", [None])[0]
        since = parse_iso(after) if after else None
        if after and since is None:
            self.send_json(400, problem(400, "Bad Request", "created_after is not an ISO 8601 date-time"))
            return
        try:
            offset = max(0, int(query.get("cursor", ["0"])[0]))
        except ValueError:
            self.send_json(400, problem(400, "Bad Request", "invalid cursor"))
            return
        self.state.count("_list", "list")
        with JOBS_LOCK:
            jobs = sorted(JOBS.values(), key=lambda j: j["wall"], reverse=True)
        if since is not None:
            jobs = [j for j in jobs if j["wall"] >= since]
        size = PAGE_SIZE[0]
        page = jobs[offset:offset + size]
        base = f"{self.base_url()}/v1/predictions?"
        extra = f"&created_after={after}" if after else ""
        results = []
        for job in page:
            pred = self.prediction(job)
            pred["input"] = job["full_input"]  # the list returns inputs as accepted
            pred.pop("logs", None)
            results.append(pred)
        self.send_json(200, {
            "next": f"{base}cursor={offset + size}{extra}" if offset + size < len(jobs) else None,
            "previous": f"{base}cursor={max(0, offset - size)}{extra}" if offset > 0 else None,
            "results": results})

    def serve_file(self, pid):
        with JOBS_LOCK:
            job = JOBS.get(pid)
        if job is None:
            self.send_bytes(404, b"Not Found", "text/plain")
            return
        self.state.count(job["key"], "download")
        if self.headers.get("Authorization"):
            self.state.count(job["key"], "download_with_key")
            self.send_bytes(401, b"replicate.delivery takes no Authorization header", "text/plain")
            return
        if "expired" in job["names"] or time.monotonic() < job["ready_at"]:
            self.send_bytes(404, b"Not Found", "text/plain")
            return
        self.send_file(job["key"], job["faults"], notimage_type="text/html")


if __name__ == "__main__":
    serve(ReplicateHandler)
