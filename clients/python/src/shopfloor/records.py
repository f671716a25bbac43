"""Results of script calls: ``dict`` subclasses that also allow attribute access."""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import uuid
from typing import Any, Dict, Iterable, Mapping

__all__ = ["Record", "ApiResponse", "to_json", "from_json"]


class Record(dict):
    """A record as the server returned it: a ``dict`` whose keys are also attributes.

    ``order.id`` and ``order['id']`` are the same; ``order.quantity = 5`` sets the key. Nested
    objects are Records too, also when assigned later. ``print(order)`` shows indented JSON;
    ``repr(order)`` is the plain dict repr. A missing key raises ``AttributeError`` for attribute
    access and ``KeyError`` for item access, as usual. Keys that collide with dict methods
    (``items``, ``keys``, ``values``, ``get``, ...) are reachable only as ``record['items']``.
    """

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        if args or kwargs:
            self.update(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError("%s has no field %r" % (type(self).__name__, name)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError("%s has no field %r" % (type(self).__name__, name)) from None

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, wrap(value))

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def copy(self) -> "Record":
        """A shallow copy of the same class."""
        return _fast(type(self), self)

    def __or__(self, other: Any) -> Any:
        if not isinstance(other, Mapping):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __ior__(self, other: Any) -> "Record":
        self.update(other)
        return self

    def __dir__(self) -> Iterable[str]:
        names = set(super().__dir__())
        names.update(k for k in self.keys() if isinstance(k, str) and k.isidentifier())
        return sorted(names)

    def __str__(self) -> str:
        return json.dumps(self, default=_default, ensure_ascii=False, indent=2)

    __repr__ = dict.__repr__


class ApiResponse(Record):
    """What script delete (and a few other) functions return: ``success``, ``message``, ``data``, ``error``.

    A refused delete is not an exception: ``success`` is false, ``message``/``error`` say why and
    ``data`` holds the references.
    """

    __slots__ = ()

    @property
    def success(self) -> bool:
        return bool(self.get("success"))

    @property
    def message(self) -> Any:
        return self.get("message")

    @property
    def data(self) -> Any:
        return self.get("data")

    @property
    def error(self) -> Any:
        return self.get("error")


_API_RESPONSE_KEYS = frozenset(("success", "message", "data", "error"))


def _fast(cls: type, items: Mapping[Any, Any]) -> Any:
    """Build a Record from values that are already converted (no deep walk)."""
    record = dict.__new__(cls)
    dict.update(record, items)
    return record


def wrap(value: Any) -> Any:
    """Convert plain dicts (and dicts inside lists and tuples) to Records, recursively."""
    if isinstance(value, Record):
        return value
    if isinstance(value, dict):
        cls = ApiResponse if value.keys() == _API_RESPONSE_KEYS else Record
        return _fast(cls, {k: wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [wrap(v) for v in value]
    if isinstance(value, tuple):
        return [wrap(v) for v in value]
    return value


def _object_hook(pairs: Dict[str, Any]) -> Record:
    cls = ApiResponse if pairs.keys() == _API_RESPONSE_KEYS else Record
    return _fast(cls, pairs)


def from_json(text: str) -> Any:
    """Parse JSON text, turning every object into a Record (or an ApiResponse)."""
    return json.loads(text, object_hook=_object_hook)


def _default(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.astimezone()  # a naive datetime is local time, as in Python generally
        value = value.astimezone(_dt.timezone.utc)
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError("cannot send a %s as JSON: %r" % (type(value).__name__, value))


def to_json(value: Any, indent: Any = None) -> str:
    """JSON text of a value; datetimes become ISO-8601 UTC instants, dates ISO dates."""
    if indent is None:
        return json.dumps(value, default=_default, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return json.dumps(value, default=_default, ensure_ascii=False, allow_nan=False, indent=indent)
