"""Every exception class, with the server's details on it."""

import socket
import time

import pytest

import shopfloor
from shopfloor import (
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
    connect,
)

from conftest import BODY_LIMIT, unique


def test_every_exception_is_a_shopfloor_error():
    classes = [
        ValidationError, BadRequestError, NotFoundError, InUseError, ConflictError, AuthenticationError,
        ForbiddenError, PayloadTooLargeError, RateLimitError, ServerError, UnavailableError,
        ShopfloorConnectionError, ShopfloorTimeoutError,
    ]
    for cls in classes:
        assert issubclass(cls, ShopfloorError), cls
        assert cls.__name__ in shopfloor.__all__
    assert issubclass(BadRequestError, TypeError)
    assert issubclass(UnavailableError, ServerError)
    assert issubclass(ShopfloorConnectionError, ConnectionError)
    assert issubclass(ShopfloorTimeoutError, TimeoutError)


# -- from the real server -------------------------------------------------------------------------

def test_validation_error_carries_fields(system):
    with pytest.raises(ValidationError) as info:
        system.mes.productionOrder.saveProductionOrder(name="", quantity=-1, bogus=1)
    error = info.value
    assert error.status == 422 and error.code == "validation"
    assert "name" in error.fields and "bogus" in error.fields
    assert all(isinstance(messages, list) and messages for messages in error.fields.values())
    assert "unknown field 'bogus'" in error.fields["bogus"][0]
    assert error.function == "productionOrder.saveProductionOrder"
    assert error.request_id  # to find the call in the server log
    text = str(error)
    assert text.startswith(error.message) and "  bogus: unknown field" in text


def test_validation_error_on_duplicate_names(system, make_order):
    order = make_order()
    with pytest.raises(ValidationError) as info:
        system.mes.productionOrder.saveProductionOrder(
            name=order.name, productId=order.productId, unitOfMeasureId=order.unitOfMeasureId
        )
    assert "already exists" in info.value.fields["name"][0]


def test_not_found_error(system):
    with pytest.raises(NotFoundError, match="no production order 'no-such-order'") as info:
        system.mes.productionOrder.startProductionOrder("no-such-order")
    assert info.value.status == 404 and info.value.code == "not_found"


def test_not_found_for_a_function_the_server_does_not_have(system):
    # Bypasses the catalogue check, as a stale catalogue would.
    from shopfloor.client import FunctionInfo

    ghost = FunctionInfo({"name": "noSuchFunction", "params": []}, "productionOrder")
    with pytest.raises(NotFoundError, match="no function"):
        system.client.call_info(ghost, (), {})


def test_conflict_error_carries_the_current_record(system, make_order):
    order = make_order()
    system.mes.productionOrder.saveProductionOrder(id=order.id, notes="someone else", version=order.version)
    with pytest.raises(ConflictError) as info:
        system.mes.productionOrder.saveProductionOrder(id=order.id, notes="mine", version=order.version)
    error = info.value
    assert error.status == 409 and error.code == "conflict"
    assert error.current.id == order.id  # a Record
    assert error.current.version == order.version + 1 and error.current.notes == "someone else"


def test_in_use_error_carries_references(system, make_order, master):
    make_order()
    # The script API's delete answers an ApiResponse; REST DELETE answers 409 in_use.
    with pytest.raises(InUseError) as info:
        system.client.request("DELETE", "/api/v1/units-of-measure/" + master.unit.id)
    error = info.value
    assert error.status == 409 and error.code == "in_use"
    tables = {entry.tableName for entry in error.references}
    assert "production_orders" in tables
    assert all(ref.fkColName for entry in error.references for ref in entry.references)


def test_payload_too_large_error(system):
    with pytest.raises(PayloadTooLargeError) as info:
        system.mes.productionOrder.validateProductionOrder(notes="x" * (BODY_LIMIT + 1))
    assert info.value.status == 413 and info.value.code == "payload_too_large"
    # the connection is still usable afterwards
    assert system.mes.productionOrder.getProductionOrder(unique("none")) is None


def test_unserializable_arguments_are_refused_locally(system):
    with pytest.raises(BadRequestError, match="cannot send the arguments as JSON"):
        system.mes.productionOrder.getProductionOrder(object())
    with pytest.raises(BadRequestError):
        system.mes.productionOrder.reportProduction("x", float("nan"))


def test_connection_failure_names_the_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    url = "http://127.0.0.1:%d" % port
    system = connect(url, timeout=2)
    with pytest.raises(ShopfloorConnectionError) as info:
        system.mes.productionOrder.getProductionOrder("x")
    assert url in str(info.value) and "cannot reach" in str(info.value)
    assert info.value.url.startswith(url)
    with pytest.raises(ConnectionError):  # also a builtin ConnectionError
        dir(system.mes)


def test_bad_url_is_refused_at_connect():
    with pytest.raises(ValueError, match="http://host:port"):
        connect("127.0.0.1:8090")


# -- from a stub (the real server has no authentication yet) ---------------------------------------

def test_authentication_error(stub):
    with pytest.raises(AuthenticationError, match="a valid token is required") as info:
        stub.mes.stub.fail("unauthenticated")
    assert info.value.status == 401 and info.value.request_id == "stub-1"


def test_forbidden_error_carries_the_permission(stub):
    with pytest.raises(ForbiddenError) as info:
        stub.mes.stub.fail(what="forbidden")
    assert info.value.permission == "PRODUCTION_ORDER.WRITE.SAVE"
    assert info.value.status == 403


def test_in_use_error_from_an_envelope(stub):
    with pytest.raises(InUseError) as info:
        stub.mes.stub.fail("in_use")
    assert info.value.references[0].tableName == "production_orders"


@pytest.mark.parametrize(
    "what, cls, status",
    [
        ("rate_limited", RateLimitError, 429),
        ("internal", ServerError, 500),
        ("unavailable", UnavailableError, 503),
        ("unknown_code", ShopfloorError, 418),
    ],
)
def test_server_side_failures(stub, what, cls, status):
    with pytest.raises(cls) as info:
        stub.mes.stub.fail(what)
    assert type(info.value) is cls
    assert info.value.status == status


def test_an_error_page_that_is_not_json(stub, stub_url):
    with pytest.raises(ServerError) as info:
        stub.mes.stub.fail("html502")
    assert info.value.status == 502 and info.value.code is None
    assert "HTTP 502" in str(info.value) and "Bad Gateway" in str(info.value)


def test_timeout(stub_url):
    system = connect(stub_url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ShopfloorTimeoutError) as info:
        system.mes.stub.slow()
    assert time.monotonic() - started < 1.5
    assert stub_url in str(info.value) and "0.3 s" in str(info.value)
    assert system.mes.stub.echo(1).body == [1]  # a fresh connection afterwards
    system.close()


def test_authentication_error_from_the_server(server_url):
    with pytest.raises(AuthenticationError) as caught:
        shopfloor.connect(server_url, token="sft_not_a_real_token").mes.productionOrder.getAllProductionOrders()
    assert caught.value.status == 401


def test_forbidden_error_from_the_server_names_the_permission(system, server_url):
    name = unique("viewer")
    system.mes.security.saveUser(name=name, roles=["Viewer"])
    token = system.mes.security.createApiToken(name, "pytest").token
    viewer = shopfloor.connect(server_url, token=token)
    assert isinstance(viewer.mes.productionOrder.getAllProductionOrders(), list)
    with pytest.raises(ForbiddenError) as caught:
        viewer.mes.unitOfMeasure.saveUnitOfMeasure(name=unique("unit"), symbol="u")
    assert caught.value.permission == "UNIT_OF_MEASURE.WRITE.SAVE"
