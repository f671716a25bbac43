"""Keep-alive details: a connection the server dropped while idle is replaced transparently."""

import json
import socket
import threading

import pytest

from shopfloor import connect
from shopfloor import transport as transport_module


def _read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += conn.recv(65536)
    return head.split(b"\r\n")[0].decode()


def _answer(conn, payload):
    body = json.dumps(payload).encode()
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


@pytest.mark.parametrize("detect_before_sending", [True, False], ids=["detected-idle", "retried-after-send"])
def test_connection_closed_by_the_server_while_idle(monkeypatch, detect_before_sending):
    if not detect_before_sending:
        # Simulate the race where the server closes just after the idle check.
        monkeypatch.setattr(transport_module, "_dropped", lambda sock: False)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    seen = []
    dropped = threading.Event()

    def serve():
        for connection_number in range(2):
            conn, _ = listener.accept()
            with conn:
                line = _read_request(conn)
                seen.append((connection_number, line))
                _answer(conn, {"call": len(seen)})
            # closing without "Connection: close": the client still thinks it is kept alive
            if connection_number == 0:
                dropped.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    system = connect("http://127.0.0.1:%d" % listener.getsockname()[1], timeout=5)
    try:
        assert system.client.request("POST", "/api/v1/script/a/b", {}).call == 1
        assert dropped.wait(5)
        assert system.client.request("POST", "/api/v1/script/a/b", {}).call == 2
    finally:
        system.close()
        thread.join(5)
        listener.close()
    assert [n for n, _ in seen] == [0, 1]
    assert system.client.transport.connections_opened == 2
