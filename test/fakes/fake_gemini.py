#!/usr/bin/env python3
"""Fake Gemini API: POST /v1beta/models/{model}:generateContent for text and images.

Auth: header x-goog-api-key or ?key= (missing: 403; the key "invalid": 400 API_KEY_INVALID).
An image request (model id containing "image", or "IMAGE" in responseModalities) must carry an
inline_data/inlineData part and gets a real PNG back in an inlineData part.

Faults (in the prompt, see fake_common.py for syntax):
    NNN                 HTTP NNN with Google's error envelope (400, 401, 403, 404, 429, 500, 503, ...)
    429:retry_after=S   ... plus a Retry-After: S header
    429:retryinfo=1.5s  ... plus RetryInfo {"retryDelay": "1.5s"} in error.details
    perday              429 RESOURCE_EXHAUSTED whose quotaId is a per-day quota
    moderation          text: promptFeedback.blockReason SAFETY; image: finishReason IMAGE_SAFETY
    blocked             promptFeedback.blockReason (text and image)
    maxtokens           finishReason MAX_TOKENS and no parts (thinking ate the budget)
    textonly            image request answered with a text part only
    notimage            inlineData that decodes to bytes that are not an image
    truncated           image: a PNG cut in half; text: the transfer is cut mid-body
    cut                 the transfer is cut mid-body (Content-Length promised, connection closed)
    malformed           HTTP 200 with a body that is not JSON
    big=N               text of N bytes / image data of N bytes
    latency=MS          answer after MS milliseconds (default: /_control latency_ms)
    hang                never answer
    redirect_file       302 to file:///etc/passwd (clients must not follow it)
Append xN to a fault to make it fire only on the first N requests of the key.
"""

import base64
import json
import os
import re
from urllib.parse import parse_qs, urlparse

from fake_common import IMAGE_PLACEHOLDER, BaseHandler, dumps_with_image, hang, parse_faults, request_key, serve

PATH_RE = re.compile(r"^/v1beta/models/([^/:]+):generateContent$")

STATUS_NAMES = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
    502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}
MESSAGES = {
    429: "You exceeded your current quota, please check your plan and billing details.",
    503: "The model is overloaded. Please try again later.",
    500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
    400: "Invalid value at 'contents[0]' (fake fault).",
    401: "Request had invalid authentication credentials.",
    403: "Method doesn't allow unregistered callers (callers without established identity).",
    404: "models/unknown is not found for API version v1beta, or is not supported for generateContent.",
}


def error_body(code, message=None, details=None):
    return {"error": {"code": code, "message": message or MESSAGES.get(code, f"fake error {code}"),
                      "status": STATUS_NAMES.get(code, "UNKNOWN"), "details": details or []}}


def quota_details(quota_id, retry_delay=None):
    details = [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "quotaId": quota_id, "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
        "quotaValue": "10"}]},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [
            {"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]}]
    if retry_delay:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay})
    return details


def texts_of(content):
    out = []
    for part in (content or {}).get("parts") or []:
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            out.append(part["text"])
    return out


def inline_parts(body):
    found = []
    for content in body.get("contents") or []:
        for part in (content or {}).get("parts") or []:
            data = part.get("inline_data") or part.get("inlineData") if isinstance(part, dict) else None
            if data is not None:
                found.append(data)
    return found


class GeminiHandler(BaseHandler):
    def do_GET(self):
        if not self.handle_control():
            self.send_json(404, error_body(404, "Not found"))

    def do_POST(self):
        if self.handle_control():
            return
        parsed = urlparse(self.path)
        m = PATH_RE.match(parsed.path)
        raw = self.read_body()
        if not m:
            self.send_json(404, error_body(404, f"Unknown path {parsed.path}"))
            return
        model = m.group(1)
        key = self.headers.get("x-goog-api-key") or parse_qs(parsed.query).get("key", [None])[0]
        if not key:
            self.send_json(403, error_body(403))
            return
        if key == "invalid":
            self.send_json(400, error_body(400, "API key not valid. Please pass a valid API key.", [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]))
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self.send_json(400, error_body(400, "Invalid JSON payload received."))
            return

        prompt_texts = []
        for content in body.get("contents") or []:
            prompt_texts += texts_of(content)
        system = body.get("systemInstruction") or body.get("system_instruction")
        all_text = "\n".join(texts_of(system) + prompt_texts)
        gen = body.get("generationConfig") or body.get("generation_config") or {}
        modalities = gen.get("responseModalities") or gen.get("response_modalities") or []
        is_image = "image" in model or "IMAGE" in modalities

        rkey = request_key(all_text)
        self.state.count(rkey, "generate")
        faults = [f for f in parse_faults(all_text) if self.state.fault_fires(rkey, f)]
        names = {f.name: f for f in faults}

        latency = self.state.latency_ms
        if "latency" in names:
            latency = int(names["latency"].value or 0)
        if "hang" in names:
            hang()
            return
        self.answer_after(latency)

        for f in faults:
            if f.name.isdigit():
                code = int(f.name)
                details = []
                headers = {}
                if "retryinfo" in f.args:
                    details = quota_details("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", f.args["retryinfo"])
                elif code == 429:
                    details = quota_details("GenerateRequestsPerMinutePerProjectPerModel-FreeTier")
                if "retry_after" in f.args:
                    headers["Retry-After"] = f.args["retry_after"]
                self.send_json(code, error_body(code, None, details), headers)
                return
        if "perday" in names:
            self.send_json(429, error_body(429, "You exceeded your current quota (requests per day).",
                                           quota_details("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "36s")))
            return
        if "redirect_file" in names:
            self.send_bytes(302, b"", "text/plain", {"Location": "file:///etc/passwd"})
            return
        if "malformed" in names:
            self.send_bytes(200, b'{"candidates": [{"content": {"parts": [{"text": "unterminated', "application/json")
            return
        if "cut" in names or ("truncated" in names and not is_image):
            self.send_cut()
            return

        if is_image:
            images = inline_parts(body)
            if not images:
                self.send_json(400, error_body(400, "An image edit needs an inline_data image part (fake)."))
                return
            try:
                base64.b64decode(images[0].get("data", ""), validate=True)
            except (ValueError, TypeError):
                self.send_json(400, error_body(400, "Invalid value at 'contents[0].parts[1].inline_data.data' (TYPE_BYTES), Base64 decoding failed."))
                return
        usage = {"promptTokenCount": 9 + (258 if is_image else 0) + len(all_text.split()),
                 "candidatesTokenCount": 1290 if is_image else 0, "thoughtsTokenCount": 0}
        reply = {"modelVersion": model, "responseId": "fake-" + os.urandom(6).hex(), "usageMetadata": usage}

        if "blocked" in names or ("moderation" in names and not is_image):
            reply["promptFeedback"] = {"blockReason": "SAFETY"}
            usage["candidatesTokenCount"] = 0
            self.send_json(200, reply)
            return
        if "maxtokens" in names:
            usage["candidatesTokenCount"] = 0
            usage["thoughtsTokenCount"] = gen.get("maxOutputTokens", 16)
            reply["candidates"] = [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS", "index": 0}]
            self.send_json(200, reply)
            return

        if not is_image:
            size = int(names["big"].value) if "big" in names else 0
            text = ("x" * size) if size else "A bright park morning: " + " ".join(prompt_texts)[:200]
            usage["candidatesTokenCount"] = max(1, len(text.split()))
            usage["totalTokenCount"] = usage["promptTokenCount"] + usage["candidatesTokenCount"]
            reply["candidates"] = [{"content": {"role": "model", "parts": [{"text": text}]},
                                    "finishReason": "STOP", "index": 0}]
            self.send_json(200, reply)
            return

        if "moderation" in names:
            usage["candidatesTokenCount"] = 0
            reply["candidates"] = [{"finishReason": "IMAGE_SAFETY", "index": 0}]
            self.send_json(200, reply)
            return
        if "textonly" in names:
            reply["candidates"] = [{"content": {"role": "model", "parts": [
                {"text": "I can't edit this image, but here is a description instead."}]},
                "finishReason": "STOP", "index": 0}]
            self.send_json(200, reply)
            return
        data_json = self.state.png_b64_json()
        if "notimage" in names:
            data_json = json.dumps(base64.b64encode(b"this is not an image at all").decode())
        elif "truncated" in names:
            image = self.state.png()
            data_json = json.dumps(base64.b64encode(image[: len(image) // 2]).decode())
        elif "big" in names:
            data_json = json.dumps(base64.b64encode(os.urandom(int(names["big"].value))).decode())
        parts = []
        if "TEXT" in modalities:
            parts.append({"text": "Here is the edited image."})
        parts.append({"inlineData": {"mimeType": "image/png", "data": IMAGE_PLACEHOLDER}})
        reply["candidates"] = [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}]
        self.send_bytes(200, dumps_with_image(reply, data_json))


if __name__ == "__main__":
    serve(GeminiHandler)
