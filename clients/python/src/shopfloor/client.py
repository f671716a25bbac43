"""``system.mes.<module>.<function>(...)`` over Shopfloor's script API."""

from __future__ import annotations

import difflib
import inspect
import os
import ssl as _ssl
import threading
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from . import __version__
from .errors import BadRequestError, ShopfloorError, error_class
from .records import from_json, to_json
from .transport import Response, Transport

__all__ = ["Client", "System", "Mes", "Module", "ScriptFunction", "Param", "connect"]

DEFAULT_URL = "http://127.0.0.1:8090"
DEFAULT_TIMEOUT = 30.0
SCRIPT_PATH = "/api/v1/script"
# After a name is not found, the catalogue is fetched again (the server may have gained the
# function) unless it was fetched less than this many seconds ago.
_REFRESH_AFTER_MISS = 2.0


class Param:
    """One parameter of a script function, as ``GET /api/v1/script`` describes it."""

    __slots__ = ("name", "required", "kwargs")

    def __init__(self, name: str, required: bool = False, kwargs: bool = False) -> None:
        self.name = name
        self.required = required
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return "Param(%r, required=%r, kwargs=%r)" % (self.name, self.required, self.kwargs)


class FunctionInfo:
    """A catalogue entry: module, name, params, permission, access, summary."""

    __slots__ = ("module", "name", "params", "permission", "access", "summary")

    def __init__(self, raw: Mapping[str, Any], module: str) -> None:
        self.module = raw.get("module") or module
        self.name = raw["name"]
        self.params = [
            Param(p["name"], bool(p.get("required")), bool(p.get("kwargs"))) for p in raw.get("params") or []
        ]
        self.permission = raw.get("permission")
        self.access = raw.get("access")
        self.summary = raw.get("summary") or ""

    @property
    def qualname(self) -> str:
        return "system.mes.%s.%s" % (self.module, self.name)

    def signature_text(self) -> str:
        parts = []
        for p in self.params:
            if p.kwargs:
                parts.append("**" + p.name)
            elif p.required:
                parts.append(p.name)
            else:
                parts.append(p.name + "=None")
        return "%s(%s)" % (self.name, ", ".join(parts))


class Client:
    """The connection to one Shopfloor server: catalogue, script calls, plain requests.

    Thread-safe; share one Client (or the System around it) between threads.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: Optional[str] = None,
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        ssl_context: Optional[_ssl.SSLContext] = None,
    ) -> None:
        self.transport = Transport(
            url, token=token, timeout=timeout, ssl_context=ssl_context, user_agent="shopfloor-python/" + __version__
        )
        self._catalogue: Optional[Dict[str, Dict[str, FunctionInfo]]] = None
        self._fetched_at = 0.0
        self._catalogue_lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.transport.url

    @property
    def timeout(self) -> Optional[float]:
        return self.transport.timeout

    def __repr__(self) -> str:
        return "Client(%r)" % (self.url,)

    def close(self) -> None:
        self.transport.close()

    # -- catalogue ---------------------------------------------------------------------------

    def catalogue(self, refresh: bool = False) -> Dict[str, Dict[str, FunctionInfo]]:
        """``{module: {function: FunctionInfo}}`` from ``GET /api/v1/script`` (fetched once, cached)."""
        catalogue = self._catalogue
        if catalogue is not None and not refresh:
            return catalogue
        with self._catalogue_lock:
            if self._catalogue is not None and not refresh:
                return self._catalogue
            raw = self.request("GET", SCRIPT_PATH)
            catalogue = {}
            for module in (raw or {}).get("modules") or []:
                functions = {}
                for fn in module.get("functions") or []:
                    info = FunctionInfo(fn, module["name"])
                    functions[info.name] = info
                catalogue[module["name"]] = functions
            self._catalogue = catalogue
            self._fetched_at = time.monotonic()
            return catalogue

    def _catalogue_after_miss(self) -> Dict[str, Dict[str, FunctionInfo]]:
        """The catalogue, fetched again if a name was missing and the copy is not brand new."""
        if self._catalogue is not None and time.monotonic() - self._fetched_at < _REFRESH_AFTER_MISS:
            return self._catalogue
        return self.catalogue(refresh=True)

    def function_info(self, module: str, name: str) -> FunctionInfo:
        functions = self.catalogue().get(module, {})
        if name not in functions:
            functions = self._catalogue_after_miss().get(module, {})
        if name not in functions:
            raise AttributeError(_missing("system.mes.%s has no function %r" % (module, name), name, functions))
        return functions[name]

    # -- calls -------------------------------------------------------------------------------

    def call(self, module: str, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``system.mes.<module>.<function>(*args, **kwargs)``; see :class:`ScriptFunction`."""
        return self.call_info(self.function_info(module, function), args, kwargs)

    def call_info(self, info: FunctionInfo, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        body = arguments_body(info, args, kwargs)
        path = "%s/%s/%s" % (SCRIPT_PATH, quote(info.module, safe=""), quote(info.name, safe=""))
        return self.request("POST", path, body, function="%s.%s" % (info.module, info.name))

    def request(self, method: str, path: str, body: Any = None, *, function: Optional[str] = None) -> Any:
        """Send ``method path`` (e.g. ``"GET", "/api/v1/production-orders"``) with ``body`` as JSON.

        Returns the decoded JSON answer (objects as Records) or raises the ShopfloorError
        subclass for the error envelope.
        """
        if body is None:
            data = None
        else:
            try:
                data = to_json(body).encode("utf-8")
            except (TypeError, ValueError) as exc:
                raise BadRequestError(
                    "cannot send the arguments as JSON: %s" % (exc,), code="bad_request", function=function
                ) from exc
        response = self.transport.request(method, path, data)
        if 200 <= response.status < 300:
            if not response.body.strip():
                return None
            try:
                return from_json(response.body.decode("utf-8"))
            except ValueError as exc:
                raise ShopfloorError(
                    "the server at %s answered with invalid JSON: %s" % (self.transport.full_url(path), exc),
                    status=response.status,
                    url=self.transport.full_url(path),
                    function=function,
                    request_id=response.headers.get("x-request-id"),
                ) from exc
        raise error_from_response(response, self.transport.full_url(path), function)


def error_from_response(response: Response, url: str, function: Optional[str] = None) -> ShopfloorError:
    """The exception for an error answer (JSON envelope or, from a proxy say, anything else)."""
    details: Dict[str, Any] = {}
    try:
        envelope = from_json(response.body.decode("utf-8"))
        if isinstance(envelope, dict) and isinstance(envelope.get("error"), dict):
            details = envelope["error"]
    except ValueError:
        pass
    code = details.get("code")
    message = details.get("message")
    if not message:
        snippet = response.body.decode("utf-8", "replace").strip()[:200]
        message = "HTTP %s %s from %s%s" % (response.status, response.reason, url, (": " + snippet) if snippet else "")
    cls = error_class(code, response.status)
    return cls(
        message,
        code=code,
        status=response.status,
        details=details,
        url=url,
        function=function,
        request_id=response.headers.get("x-request-id"),
    )


def arguments_body(info: FunctionInfo, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """The JSON body for a call: an array of positionals, an object of keywords, or both merged.

    - only keywords (``saveProductionOrder(**data)``): the keywords object;
    - only positionals (``getProductionOrder("Order001")``): the array;
    - both (``reportProduction("Order001", quantity=5)``): one object, positionals named after the
      parameters in order; a dict given positionally for a ``**kwargs`` parameter is merged in,
      with the keywords taking precedence.
    """
    if not kwargs:
        return list(args) if args else {}
    if not args:
        return dict(kwargs)
    params = info.params
    if len(args) > len(params):
        raise BadRequestError(
            "%s takes at most %d positional arguments, %d given; signature: %s"
            % (info.name, len(params), len(args), info.signature_text()),
            code="bad_request",
            function="%s.%s" % (info.module, info.name),
        )
    body: Dict[str, Any] = {}
    named = set()
    for param, value in zip(params, args):
        if param.kwargs:
            if not isinstance(value, Mapping):
                raise BadRequestError(
                    "%s takes keyword arguments (a dict) for **%s, got %s"
                    % (info.name, param.name, type(value).__name__),
                    code="bad_request",
                    function="%s.%s" % (info.module, info.name),
                )
            body.update(value)
        else:
            body[param.name] = value
            named.add(param.name)
    for key, value in kwargs.items():
        if key in named:
            raise BadRequestError(
                "%s got multiple values for argument %r; signature: %s" % (info.name, key, info.signature_text()),
                code="bad_request",
                function="%s.%s" % (info.module, info.name),
            )
        body[key] = value
    return body


def _missing(message: str, name: str, candidates: Any) -> str:
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        matches = [lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)]
    if matches:
        return "%s; did you mean %r?" % (message, matches[0])
    return message


class ScriptFunction:
    """``system.mes.<module>.<function>``: call it like the platform's script function.

    ``fn(*args)`` sends the positionals as a JSON array, ``fn(**kwargs)`` the keywords as an
    object, and a mix is sent as one object with the positionals named after the parameters.
    """

    def __init__(self, client: Client, info: FunctionInfo) -> None:
        self._client = client
        self._info = info
        self.__name__ = info.name
        self.__qualname__ = info.qualname
        doc = info.signature_text()
        if info.summary:
            doc += "\n\n" + info.summary
        doc += "\n\nPermission: %s" % (info.permission or "none (any logged-in caller)")
        self.__doc__ = doc

    @property
    def info(self) -> FunctionInfo:
        return self._info

    @property
    def __signature__(self) -> inspect.Signature:
        params = []
        for p in self._info.params:
            if p.kwargs:
                params.append(inspect.Parameter(p.name, inspect.Parameter.VAR_KEYWORD))
            elif p.required:
                params.append(inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD))
            else:
                params.append(inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None))
        return inspect.Signature(params)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._client.call_info(self._info, args, kwargs)

    def __repr__(self) -> str:
        return "<script function system.mes.%s.%s>" % (self._info.module, self._info.signature_text())


class Module:
    """``system.mes.<module>``: its functions are attributes (see ``dir()``)."""

    def __init__(self, client: Client, name: str) -> None:
        self._client = client
        self._name = name
        self._functions: Dict[str, ScriptFunction] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> ScriptFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        fn = self._functions.get(name)
        if fn is None:
            info = self._client.function_info(self._name, name)
            with self._lock:
                fn = self._functions.setdefault(name, ScriptFunction(self._client, info))
        return fn

    def __dir__(self) -> List[str]:
        return sorted(self._client.catalogue().get(self._name, {}))

    def __repr__(self) -> str:
        return "<system.mes.%s>" % (self._name,)


class Mes:
    """``system.mes``: one attribute per module of the server's script API."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._modules: Dict[str, Module] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Module:
        if name.startswith("_"):
            raise AttributeError(name)
        module = self._modules.get(name)
        if module is not None:
            return module
        catalogue = self._client.catalogue()
        if name not in catalogue:
            catalogue = self._client._catalogue_after_miss()
        if name not in catalogue:
            raise AttributeError(_missing("system.mes has no module %r" % (name,), name, catalogue))
        with self._lock:
            return self._modules.setdefault(name, Module(self._client, name))

    def __dir__(self) -> List[str]:
        return sorted(self._client.catalogue())

    def __repr__(self) -> str:
        return "<system.mes of %s>" % (self._client.url,)


class System:
    """The ``system`` object scripts use: ``system.mes.<module>.<function>(...)``.

    Built by :func:`connect`. ``shopfloor.system`` is one made without arguments: it reads
    ``SHOPFLOOR_URL``, ``SHOPFLOOR_TOKEN`` and ``SHOPFLOOR_TIMEOUT`` on first use.
    Usable as a context manager (closes its connections on exit).
    """

    def __init__(
        self,
        url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Optional[float] = None,
        ssl_context: Optional[_ssl.SSLContext] = None,
    ) -> None:
        self._settings: Tuple[Any, ...] = (url, token, timeout, ssl_context)
        self._client: Optional[Client] = None
        self._mes: Optional[Mes] = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    url, token, timeout, ssl_context = self._settings
                    if url is None:
                        url = os.environ.get("SHOPFLOOR_URL") or DEFAULT_URL
                    if token is None:
                        token = os.environ.get("SHOPFLOOR_TOKEN") or None
                    if timeout is None:
                        env = os.environ.get("SHOPFLOOR_TIMEOUT")
                        timeout = float(env) if env else DEFAULT_TIMEOUT
                    self._client = Client(url, token=token, timeout=timeout, ssl_context=ssl_context)
                    self._mes = Mes(self._client)
                client = self._client
        return client  # type: ignore[return-value]

    @property
    def mes(self) -> Mes:
        if self._mes is None:
            self.client  # noqa: B018 - builds client and mes
        return self._mes  # type: ignore[return-value]

    def close(self) -> None:
        """Close the connections (a later call opens new ones)."""
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> "System":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._client is None:
            return "<shopfloor System (not yet connected)>"
        return "<shopfloor System %s>" % (self._client.url,)


def connect(
    url: Optional[str] = None,
    token: Optional[str] = None,
    timeout: Optional[float] = DEFAULT_TIMEOUT,
    ssl_context: Optional[_ssl.SSLContext] = None,
) -> System:
    """A ``system`` object for the server at ``url`` (default ``SHOPFLOOR_URL``, else http://127.0.0.1:8090).

    ``token`` (default ``SHOPFLOOR_TOKEN``) is sent as ``Authorization: Bearer <token>``;
    ``timeout`` is the seconds to wait for connecting and for each answer (``None``: forever).
    No request is made until the first call.
    """
    system = System(url, token, timeout, ssl_context)
    system.client  # noqa: B018 - validates the URL now
    return system
