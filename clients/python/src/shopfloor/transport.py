"""HTTP transport: one keep-alive connection per thread, standard library only."""

from __future__ import annotations

import http.client
import select
import socket
import ssl as _ssl
import threading
import weakref
from typing import Any, Dict, Optional, Tuple
from urllib.parse import quote, urlsplit

from .errors import ShopfloorConnectionError, ShopfloorTimeoutError

__all__ = ["Transport", "Response"]

# Errors that mean "the server closed a kept-alive connection before reading the request":
# the request was never processed, so sending it again on a fresh connection is safe.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class Response:
    """Status, headers and body bytes of one answer."""

    __slots__ = ("status", "reason", "headers", "body")

    def __init__(self, status: int, reason: str, headers: Dict[str, str], body: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body


def _dropped(sock: Any) -> bool:
    """True when an idle kept-alive socket is readable, i.e. the server closed it (or broke it)."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)
    except (OSError, ValueError):
        return True


class _Slot:
    """A thread's connection; closes it when the thread ends (its thread-local goes away)."""

    __slots__ = ("conn",)

    def __init__(self) -> None:
        self.conn: Optional[http.client.HTTPConnection] = None

    def __del__(self) -> None:
        conn = self.conn
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - best effort, possibly at interpreter exit
                pass


class Transport:
    """Sends requests to one server, reusing one HTTP/1.1 connection per thread.

    Safe to share between threads: each thread gets its own connection (``threading.local``),
    opened on its first call and kept alive afterwards. ``close()`` closes all of them.
    """

    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        timeout: Optional[float] = 30.0,
        ssl_context: Optional[_ssl.SSLContext] = None,
        user_agent: str = "shopfloor-python",
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("Shopfloor URL must look like http://host:port, got %r" % (url,))
        self.url = url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._ssl_context = ssl_context
        self._user_agent = user_agent
        self._local = threading.local()
        self._lock = threading.Lock()
        # Weak, so a finished thread's connection is closed when its thread-local goes away.
        self._open: weakref.WeakSet = weakref.WeakSet()
        self.connections_opened = 0

    def __repr__(self) -> str:
        return "Transport(%r)" % (self.url,)

    def full_url(self, path: str) -> str:
        return self.url + path

    # -- connections -------------------------------------------------------------------------

    def _new_connection(self) -> http.client.HTTPConnection:
        if self._https:
            context = self._ssl_context or _ssl.create_default_context()
            return http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout, context=context)
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def _connect(self, conn: http.client.HTTPConnection, url: str) -> None:
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            raise ShopfloorConnectionError(
                "cannot reach the Shopfloor server at %s: %s" % (url, _describe(exc)), url=url
            ) from exc
        if conn.sock is not None:
            try:
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        with self._lock:
            self.connections_opened += 1
            self._open.add(conn)

    def _discard(self, conn: http.client.HTTPConnection) -> None:
        conn.close()
        with self._lock:
            self._open.discard(conn)
        slot = self._slot()
        if slot.conn is conn:
            slot.conn = None

    def _slot(self) -> _Slot:
        slot = getattr(self._local, "slot", None)
        if slot is None:
            slot = self._local.slot = _Slot()
        return slot

    def _connection(self, url: str) -> Tuple[http.client.HTTPConnection, bool]:
        """This thread's connection, and whether it was already open (reused)."""
        conn = self._slot().conn
        if conn is not None and conn.sock is not None and not _dropped(conn.sock):
            return conn, True
        if conn is not None:
            self._discard(conn)
        conn = self._new_connection()
        self._connect(conn, url)
        self._slot().conn = conn
        return conn, False

    def close(self) -> None:
        """Close every connection (of all threads). Later calls open new ones."""
        with self._lock:
            conns = list(self._open)
            self._open = weakref.WeakSet()
        for conn in conns:
            try:
                conn.close()
            except OSError:
                pass

    # -- requests ----------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Optional[bytes] = None) -> Response:
        """Send one request and read the whole answer. ``path`` starts with ``/``."""
        url = self.full_url(path)
        headers = {
            "Accept": "application/json",
            "User-Agent": self._user_agent,
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer %s" % self.token
        target = quote(self._prefix + path, safe="/:@!$&'()*+,;=-._~?%")
        for attempt in (0, 1):
            conn, reused = self._connection(url)
            try:
                conn.request(method, target, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
            except _STALE as exc:
                self._discard(conn)
                if reused and attempt == 0:
                    continue  # the server closed the idle connection; the request never arrived
                raise ShopfloorConnectionError(
                    "lost the connection to the Shopfloor server at %s: %s" % (url, _describe(exc)), url=url
                ) from exc
            except socket.timeout as exc:
                self._discard(conn)
                raise ShopfloorTimeoutError(
                    "no answer from the Shopfloor server at %s within %s s" % (url, self.timeout), url=url
                ) from exc
            except (OSError, http.client.HTTPException) as exc:
                self._discard(conn)
                raise ShopfloorConnectionError(
                    "the connection to the Shopfloor server at %s failed: %s" % (url, _describe(exc)), url=url
                ) from exc
            if answer.will_close:
                self._discard(conn)
            return Response(answer.status, answer.reason, {k.lower(): v for k, v in answer.getheaders()}, data)
        raise AssertionError("unreachable")  # pragma: no cover


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return "%s: %s" % (type(exc).__name__, text) if text else type(exc).__name__
