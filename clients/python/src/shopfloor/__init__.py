"""Shopfloor client: MES scripts written for ``system.mes.<module>.<function>(...)`` run unchanged.

    from shopfloor import connect
    system = connect("http://127.0.0.1:8090", token="...")
    order = system.mes.productionOrder.getProductionOrder("Order001")

or ``from shopfloor import system``, configured from ``SHOPFLOOR_URL`` / ``SHOPFLOOR_TOKEN``.
"""

__version__ = "0.1.0"

from .client import Client, Mes, Module, ScriptFunction, System, connect  # noqa: E402
from .errors import (  # noqa: E402
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InUseError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    ShopfloorConnectionError,
    ShopfloorError,
    ShopfloorTimeoutError,
    UnavailableError,
    ValidationError,
)
from .records import ApiResponse, Record  # noqa: E402
from . import errors  # noqa: E402

#: The default ``system``: reads SHOPFLOOR_URL / SHOPFLOOR_TOKEN / SHOPFLOOR_TIMEOUT on first use.
system = System()

__all__ = [
    "__version__",
    "connect",
    "system",
    "System",
    "Client",
    "Mes",
    "Module",
    "ScriptFunction",
    "Record",
    "ApiResponse",
    *errors.__all__,
]
