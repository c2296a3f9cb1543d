#!/usr/bin/env python3
"""Prints rolloy's generation progress from LISTEN rolloy_progress until a project is done.

A minimal Postgres wire-protocol client (python3 stdlib only; trust or no-password auth on
127.0.0.1), so the demo needs no driver:

    listen_progress.py --port 25429 --db rolloy_demo [--project UUID] [--timeout 120]

Prints one line per notification; exits 0 when a notification for the project says nothing is
open any more (all images completed, failed or cancelled) or, with --until-idle, when no project
has open images after at least one notification; 2 on timeout.
"""
import argparse
import json
import select
import socket
import struct
import sys
import time


def message(kind, payload):
    return kind + struct.pack("!I", len(payload) + 4) + payload


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("server closed the connection")
        data += chunk
    return data


def read_message(sock):
    head = read_exact(sock, 5)
    kind, length = head[:1], struct.unpack("!I", head[1:])[0]
    return kind, read_exact(sock, length - 4)


def connect(host, port, user, db):
    sock = socket.create_connection((host, port))
    params = b"user\0" + user.encode() + b"\0database\0" + db.encode() + b"\0\0"
    body = struct.pack("!I", 196608) + params
    sock.sendall(struct.pack("!I", len(body) + 4) + body)
    while True:
        kind, payload = read_message(sock)
        if kind == b"R" and struct.unpack("!I", payload[:4])[0] != 0:
            raise SystemExit("listen_progress.py supports trust authentication only")
        if kind == b"E":
            raise SystemExit("connection failed: " + payload.decode(errors="replace"))
        if kind == b"Z":
            return sock


def query_one(sock, sql, pending):
    """Runs a simple query and returns the first column of the first row (or None). Notifications
    that arrive meanwhile are kept in `pending` for the main loop."""
    sock.sendall(message(b"Q", sql.encode() + b"\0"))
    value = None
    while True:
        kind, payload = read_message(sock)
        if kind == b"A":
            pending.append(payload)
        elif kind == b"D" and value is None:
            length = struct.unpack("!i", payload[2:6])[0]
            value = payload[6:6 + length].decode() if length >= 0 else None
        elif kind == b"Z":
            return value


def quiet_for(sock, seconds):
    """True when no further message arrives within `seconds` (more batches may be queued)."""
    readable, _, _ = select.select([sock], [], [], seconds)
    return not readable


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--db", required=True)
    ap.add_argument("--project")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--verbose", action="store_true", help="also print pending/processing changes")
    ap.add_argument("--until-idle", action="store_true",
                    help="exit when no image of any project is pending or processing (needs --db access)")
    args = ap.parse_args()

    sock = connect(args.host, args.port, args.user, args.db)
    sock.sendall(message(b"Q", b"LISTEN rolloy_progress\0"))
    # The LISTEN is in force once the server says it is ready for the next query: only then may
    # the caller start work whose notifications it must see (callers wait for this line).
    while read_message(sock)[0] != b"Z":
        pass
    print("listening on rolloy_progress", flush=True)
    open_by_project = {}
    deadline = time.monotonic() + args.timeout
    pending = []
    while time.monotonic() < deadline:
        if pending:
            payload = pending.pop(0)
        else:
            readable, _, _ = select.select([sock], [], [], 0.5)
            if not readable:
                continue
            kind, payload = read_message(sock)
            if kind != b"A":
                continue
        _pid = struct.unpack("!I", payload[:4])[0]
        channel, rest = payload[4:].split(b"\0", 1)
        note = json.loads(rest.split(b"\0", 1)[0])
        if args.project and note.get("project_id") != args.project:
            continue
        done = note["completed"] + note["failed"]
        # The payload has ids only (every listener gets every notification); names and errors
        # are read through row-level security, so a member sees only their own.
        if note["status"] in ("completed", "failed", "cancelled") or args.verbose:
            image = str(note["image_id"]).replace("'", "")
            note["ad_name"] = query_one(sock, f"SELECT ad_name FROM rolloy.generated_images WHERE id = '{image}'",
                                        pending) or image
            note["error"] = query_one(sock, f"SELECT last_error FROM rolloy.generated_images WHERE id = '{image}'",
                                      pending)
        if note["status"] in ("completed", "failed", "cancelled") or args.verbose:
                print(f"  {note['ad_name']:<44} {note['status']:<10} "
                  f"{done}/{note['total']} done ({note['completed']} ok, {note['failed']} failed)"
                  + (f"  error: {note['error']}" if note.get("error") and note["status"] == "failed" else ""),
                  flush=True)
        if args.until_idle:
            open_by_project[note["project_id"]] = note.get("open", 0)
            if all(n == 0 for n in open_by_project.values()) and quiet_for(sock, 1.5):
                sock.sendall(message(b"X", b""))
                return 0
        elif note.get("open") == 0:
            sock.sendall(message(b"X", b""))
            return 0
    print("timed out waiting for the batch", flush=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
