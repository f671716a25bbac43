"""Fixtures: a real `shopfloor serve` on a temporary database, a client for it, and a stub server.

The server binary comes from SHOPFLOOR_BIN, else <repo>/target/debug/shopfloor (built with
`cargo build --bin shopfloor` when missing). The package is imported from ../src, so the tests
run without installing it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CLIENT_ROOT = HERE.parent
SRC = CLIENT_ROOT / "src"
REPO = CLIENT_ROOT.parent.parent
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

import shopfloor  # noqa: E402
from shopfloor import connect  # noqa: E402

# The server under test accepts request bodies up to this size (to provoke payload_too_large).
BODY_LIMIT = 256 * 1024


def _binary() -> str:
    explicit = os.environ.get("SHOPFLOOR_BIN")
    if explicit:
        if not os.access(explicit, os.X_OK):
            pytest.exit("SHOPFLOOR_BIN=%s is not an executable file" % explicit, returncode=2)
        return explicit
    path = REPO / "target" / "debug" / "shopfloor"
    if not path.exists():
        subprocess.run(["cargo", "build", "--bin", "shopfloor"], cwd=str(REPO), check=True)
    return str(path)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """URL of a `shopfloor serve` started for this test session (stopped at the end)."""
    binary = _binary()
    workdir = tmp_path_factory.mktemp("shopfloor-server")
    log_path = workdir / "server.log"
    for _attempt in range(3):
        port = _free_port()
        url = "http://127.0.0.1:%d" % port
        log = open(log_path, "wb")
        proc = subprocess.Popen(
            [
                binary,
                "serve",
                "--database",
                str(workdir / "db"),
                "--listen",
                "127.0.0.1:%d" % port,
                "--body-limit",
                str(BODY_LIMIT),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None and not _healthy(url):
            time.sleep(0.05)
        if proc.poll() is None and _healthy(url):
            break
        _stop(proc)
        log.close()
    else:
        pytest.fail("shopfloor serve did not become healthy; log:\n" + log_path.read_text(errors="replace")[-4000:])
    # On an empty database the server creates `admin` and prints its first API token once;
    # every client of this session authenticates with it (connect() reads SHOPFLOOR_TOKEN).
    token = _printed_token(log_path)
    if not token:
        _stop(proc)
        pytest.fail("shopfloor serve printed no first token; log:\n" + log_path.read_text(errors="replace")[-4000:])
    os.environ["SHOPFLOOR_TOKEN"] = token
    try:
        yield url
    finally:
        _stop(proc)
        log.close()


def _printed_token(log_path, wait=10.0):
    """The token line `    sft_…` the server prints on first start."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            word = line.strip()
            if word.startswith("sft_") and " " not in word:
                return word
        time.sleep(0.05)
    return None


@pytest.fixture(scope="session")
def system(server_url):
    """A client for the session's server, as scripts get it."""
    with connect(server_url, timeout=30) as system:
        yield system


def unique(prefix: str) -> str:
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


@pytest.fixture(scope="session")
def master(system):
    """A unit, a material class and a product to make orders with."""
    mes = system.mes
    unit = mes.unitOfMeasure.saveUnitOfMeasure(name=unique("Each"), symbol=unique("ea"))
    material_class = mes.material.saveMaterialClass(name=unique("FG"))
    product = mes.material.saveMaterial(
        name=unique("Widget"), materialClassId=material_class.id, unitOfMeasureId=unit.id
    )
    return shopfloor.Record(unit=unit, materialClass=material_class, product=product)


@pytest.fixture
def make_order(system, master):
    """Saves a new production order (name unique unless given) and returns it."""

    def make(**fields):
        data = system.mes.productionOrder.newProductionOrder()
        data["name"] = unique("PO")
        data["productId"] = master.product.id
        data["unitOfMeasureId"] = master.unit.id
        data.update(fields)
        return system.mes.productionOrder.saveProductionOrder(**data)

    return make


# -- a stub server for answers the real server cannot give yet (no authentication) ---------------

STUB_CATALOGUE = {
    "modules": [
        {
            "name": "stub",
            "functions": [
                {"module": "stub", "name": "echo", "params": [{"name": "a", "required": True, "kwargs": False},
                                                               {"name": "b", "required": False, "kwargs": False}],
                 "permission": None, "access": "read", "summary": "Answers with what it received."},
                {"module": "stub", "name": "echoData", "params": [{"name": "data", "required": False, "kwargs": True}],
                 "permission": None, "access": "read", "summary": "Answers with what it received."},
                {"module": "stub", "name": "fail", "params": [{"name": "what", "required": True, "kwargs": False}],
                 "permission": "STUB.EXECUTE", "access": "write", "summary": "Answers with a canned error."},
                {"module": "stub", "name": "slow", "params": [], "permission": None, "access": "read",
                 "summary": "Answers after two seconds."},
            ],
        }
    ]
}

CANNED = {
    "unauthenticated": (401, {"error": {"code": "unauthenticated", "message": "a valid token is required"}}),
    "forbidden": (403, {"error": {"code": "forbidden", "message": "PRODUCTION_ORDER.WRITE.SAVE is required",
                                  "permission": "PRODUCTION_ORDER.WRITE.SAVE"}}),
    "in_use": (409, {"error": {"code": "in_use", "message": "still referenced",
                               "references": [{"tableName": "production_orders",
                                               "references": [{"fkColName": "product_id", "id": "X"}]}]}}),
    "rate_limited": (429, {"error": {"code": "rate_limited", "message": "slow down"}}),
    "internal": (500, {"error": {"code": "internal", "message": "internal error; see the server log"}}),
    "unavailable": (503, {"error": {"code": "unavailable", "message": "the database is unreachable"}}),
    "unknown_code": (418, {"error": {"code": "teapot", "message": "I am a teapot"}}),
}


class _StubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status, payload, content_type="application/json"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", "stub-1")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/api/v1/script":
            self._send(200, STUB_CATALOGUE)
        else:
            self._send(404, {"error": {"code": "not_found", "message": "no route %s" % self.path}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.server.requests.append((self.path, dict(self.headers), raw))
        name = self.path.rsplit("/", 1)[-1]
        if name in ("echo", "echoData"):
            self._send(200, {"body": json.loads(raw) if raw else None,
                             "authorization": self.headers.get("Authorization")})
        elif name == "slow":
            time.sleep(2)
            self._send(200, True)
        elif name == "fail":
            what = json.loads(raw)
            what = what[0] if isinstance(what, list) else what["what"]
            if what == "html502":
                self._send(502, b"<html><body>Bad Gateway</body></html>", "text/html")
            else:
                status, payload = CANNED[what]
                self._send(status, payload)
        else:
            self._send(404, {"error": {"code": "not_found", "message": "no function %s" % self.path}})


@pytest.fixture(scope="session")
def stub_url():
    """A tiny in-process HTTP server answering canned envelopes (401, 403, 409 in_use, 5xx, ...)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StubHandler)
    server.daemon_threads = True
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, name="stub-server", daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stub(stub_url):
    with connect(stub_url, token="stub-token", timeout=5) as system:
        yield system
