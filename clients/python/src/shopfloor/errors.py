"""Exceptions raised by the Shopfloor client.

Every exception derives from :class:`ShopfloorError`. Errors the server answers with its JSON
envelope ``{"error": {"code", "message", ...}}`` become the subclass for their ``code`` and carry
the envelope's details as attributes (``fields``, ``references``, ``current``, ``permission``).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

__all__ = [
    "ShopfloorError",
    "ValidationError",
    "BadRequestError",
    "NotFoundError",
    "InUseError",
    "ConflictError",
    "AuthenticationError",
    "ForbiddenError",
    "PayloadTooLargeError",
    "RateLimitError",
    "ServerError",
    "UnavailableError",
    "ShopfloorConnectionError",
    "ShopfloorTimeoutError",
]


class ShopfloorError(Exception):
    """Base class of every error the client raises.

    Attributes: ``message`` (the server's message), ``code`` (the envelope's code, e.g.
    ``"validation"``, or ``None``), ``status`` (HTTP status, ``None`` when no answer came),
    ``details`` (the whole ``error`` object of the envelope), ``url`` (the URL called),
    ``function`` (``"module.function"`` for script calls) and ``request_id`` (the server's
    ``x-request-id``, to find the call in the server log).
    """

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        status: Optional[int] = None,
        details: Optional[Mapping[str, Any]] = None,
        url: Optional[str] = None,
        function: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details: Dict[str, Any] = dict(details or {})
        self.url = url
        self.function = function
        self.request_id = request_id

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        if self.code is not None:
            parts.append("code=%r" % self.code)
        if self.status is not None:
            parts.append("status=%r" % self.status)
        if self.function is not None:
            parts.append("function=%r" % self.function)
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))


class ValidationError(ShopfloorError):
    """422 ``validation``: the record or arguments are invalid.

    ``fields`` maps each field to its messages, e.g. ``{"name": ["is required"]}``.
    """

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.fields: Dict[str, Any] = self.details.get("fields") or {}

    def __str__(self) -> str:
        if len(self.fields) <= 1:
            return self.message
        lines = [self.message]
        for field, messages in self.fields.items():
            if isinstance(messages, (list, tuple)):
                messages = "; ".join(str(m) for m in messages)
            lines.append("  %s: %s" % (field, messages))
        return "\n".join(lines)


class BadRequestError(ShopfloorError, TypeError):
    """400 ``bad_request``: wrong argument count, names or types (also a ``TypeError``).

    Raised without a round trip when a call mixing positional and keyword arguments cannot be
    mapped onto the function's parameters.
    """


class NotFoundError(ShopfloorError):
    """404 ``not_found``: no such function, or the record a verb acts on does not exist.

    Getters answer ``None`` instead of raising this.
    """


class InUseError(ShopfloorError):
    """409 ``in_use``: the record is still referenced; ``references`` lists by whom.

    ``references`` has the shape of ``getXReferences``: ``[{tableName, references: [{fkColName, id}]}]``.
    Script delete functions do not raise it; they return an ApiResponse with ``success`` false.
    """

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.references = self.details.get("references") or []


class ConflictError(ShopfloorError):
    """409 ``conflict``: the record changed since it was read; ``current`` is the stored record."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.current = self.details.get("current")


class AuthenticationError(ShopfloorError):
    """401 ``unauthenticated``: no token, or a token the server does not accept."""


class ForbiddenError(ShopfloorError):
    """403 ``forbidden``: the caller lacks ``permission`` (e.g. ``PRODUCTION_ORDER.WRITE.SAVE``)."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.permission: Optional[str] = self.details.get("permission")


class PayloadTooLargeError(ShopfloorError):
    """413 ``payload_too_large``: the request body is larger than the server accepts."""


class RateLimitError(ShopfloorError):
    """429: the server refuses more calls for now."""


class ServerError(ShopfloorError):
    """500 ``internal`` (or another 5xx): a server-side failure; see the server log by ``request_id``."""


class UnavailableError(ServerError):
    """503 ``unavailable``: the server is up but cannot serve now (e.g. its database is down)."""


class ShopfloorConnectionError(ShopfloorError, ConnectionError):
    """The server could not be reached, or the connection broke; the message names the URL."""


class ShopfloorTimeoutError(ShopfloorError, TimeoutError):
    """No answer within the client's timeout (or the server's own request timeout, HTTP 408).

    A write may still have been applied by the server.
    """


_BY_CODE = {
    "validation": ValidationError,
    "bad_request": BadRequestError,
    "not_found": NotFoundError,
    "in_use": InUseError,
    "conflict": ConflictError,
    "unauthenticated": AuthenticationError,
    "forbidden": ForbiddenError,
    "payload_too_large": PayloadTooLargeError,
    "rate_limited": RateLimitError,
    "too_many_requests": RateLimitError,
    "timeout": ShopfloorTimeoutError,
    "internal": ServerError,
    "unavailable": UnavailableError,
}

_BY_STATUS = {
    400: BadRequestError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    408: ShopfloorTimeoutError,
    413: PayloadTooLargeError,
    422: ValidationError,
    429: RateLimitError,
    500: ServerError,
    503: UnavailableError,
}


def error_class(code: Optional[str], status: Optional[int]) -> type:
    """The exception class for an envelope ``code`` (preferred) or an HTTP ``status``."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status == 409:
        return ConflictError
    if status is not None and status >= 500:
        return ServerError
    return ShopfloorError
