"""Calls: positional and keyword arguments, the catalogue, and one call in each module."""

import datetime
import inspect
import time

import pytest

import shopfloor
from shopfloor import BadRequestError, ShopfloorError, ValidationError, connect

from conftest import unique


# -- how arguments travel -------------------------------------------------------------------------

def test_positional_and_keyword_calls_are_interchangeable(system, make_order):
    order = make_order()
    po = system.mes.productionOrder
    by_position = po.getProductionOrder(order.name)
    by_keyword = po.getProductionOrder(productionOrderIdOrName=order.name)
    assert by_position == by_keyword and by_position.id == order.id


def test_keyword_names_of_the_original_documents_bind(system, master):
    um = system.mes.unitOfMeasure
    assert um.getUnitOfMeasure(idOrName=master.unit.name).id == master.unit.id
    assert um.getUnitOfMeasure(unitOfMeasureIdOrName=master.unit.name).id == master.unit.id
    assert um.doesUnitOfMeasureExist(idOrName=master.unit.name) is True
    with pytest.raises(BadRequestError, match="two values"):
        um.getUnitOfMeasure(idOrName=master.unit.name, unitOfMeasureIdOrName=master.unit.name)


def test_mixed_positional_and_keyword_arguments(system, make_order):
    order = make_order()
    po = system.mes.productionOrder
    started = po.startProductionOrder(order.name, reason="first shift")
    assert started.status == "RUNNING"
    reported = po.reportProduction(order.id, quantity=25)
    assert reported.quantityProduced == 25
    reported = po.reportProduction(order.id, 5, reason="recount")
    assert reported.quantityProduced == 30
    reported = po.reportProduction(productionOrderIdOrName=order.name, quantity=-10)
    assert reported.quantityProduced == 20


def test_kwargs_function_takes_a_dict_positionally_or_as_keywords(system, master):
    po = system.mes.productionOrder
    data = {"name": unique("PO"), "productId": master.product.id, "unitOfMeasureId": master.unit.id}
    as_dict = po.saveProductionOrder(data)
    assert as_dict.name == data["name"]
    merged = po.saveProductionOrder({"id": as_dict.id}, quantity=7, notes="merged")
    assert merged.id == as_dict.id and merged.quantity == 7 and merged.notes == "merged"


def test_datetimes_are_sent_as_instants(make_order, system):
    due = datetime.datetime(2031, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.timezone.utc)
    order = make_order(dueDate=due)
    assert order.dueDate == "2031-05-06T07:08:09.123Z"
    later = system.mes.productionOrder.saveProductionOrder(
        id=order.id, dueDate=datetime.datetime(2031, 5, 6, 9, 8, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    )
    assert later.dueDate == "2031-05-06T07:08:09.000Z"


def test_the_wire_shape_of_each_kind_of_call(stub, stub_url):
    echo = stub.mes.stub.echo
    assert echo(1, 2).body == [1, 2]
    assert echo(a=1, b=2).body == {"a": 1, "b": 2}
    assert echo(1, b=2).body == {"a": 1, "b": 2}
    assert echo().body == {}
    data = {"x": 1, "nested": {"y": [1, 2]}}
    assert stub.mes.stub.echoData(**data).body == data
    assert stub.mes.stub.echoData(data).body == [data]
    assert stub.mes.stub.echoData(data, z=3).body == {"x": 1, "nested": {"y": [1, 2]}, "z": 3}


def test_the_token_is_sent_as_a_bearer_token(stub, stub_url, monkeypatch):
    assert stub.mes.stub.echo(1).authorization == "Bearer stub-token"
    monkeypatch.delenv("SHOPFLOOR_TOKEN", raising=False)
    with connect(stub_url) as anonymous:
        assert anonymous.mes.stub.echo(1).authorization is None


def test_mixed_calls_that_cannot_be_mapped_raise_before_sending(stub):
    with pytest.raises(BadRequestError, match="at most 2 positional arguments, 3 given"):
        stub.mes.stub.echo(1, 2, 3, b=4)
    with pytest.raises(BadRequestError, match="multiple values for argument 'a'"):
        stub.mes.stub.echo(1, a=2)
    with pytest.raises(BadRequestError, match=r"keyword arguments \(a dict\) for \*\*data"):
        stub.mes.stub.echoData("not a dict", z=1)
    with pytest.raises(TypeError):  # BadRequestError is a TypeError too
        stub.mes.stub.echo(object())


def test_server_side_argument_errors_are_bad_requests(system):
    with pytest.raises(BadRequestError, match="takes at most 1 arguments") as info:
        system.mes.productionOrder.getProductionOrder("a", "b")
    assert info.value.status == 400 and info.value.code == "bad_request"
    assert info.value.function == "productionOrder.getProductionOrder"
    with pytest.raises(BadRequestError, match="unexpected argument 'orderName'"):
        system.mes.productionOrder.getProductionOrder(orderName="x")


# -- the catalogue --------------------------------------------------------------------------------

def test_dir_lists_modules_and_functions_from_the_server(system):
    modules = dir(system.mes)
    for module in ("productionOrder", "unitOfMeasure", "material", "location", "customer", "shift", "query"):
        assert module in modules
    functions = dir(system.mes.productionOrder)
    for function in ("newProductionOrder", "saveProductionOrder", "getProductionOrder",
                     "deleteProductionOrder", "reportProduction", "startProductionOrder"):
        assert function in functions
    assert functions == sorted(functions)


def test_misspelled_function_raises_attribute_error_with_suggestion(system):
    with pytest.raises(AttributeError, match=r"has no function 'saveProductionOrdr'; did you mean 'saveProductionOrder'\?"):
        system.mes.productionOrder.saveProductionOrdr
    with pytest.raises(AttributeError, match=r"did you mean 'getProductionOrder'\?"):
        system.mes.productionOrder.getproductionorder
    with pytest.raises(AttributeError, match=r"no module 'productionOrders'; did you mean 'productionOrder'\?"):
        system.mes.productionOrders
    with pytest.raises(AttributeError) as info:
        system.mes.productionOrder.zzzzzz
    assert "did you mean" not in str(info.value)
    assert not hasattr(system.mes.productionOrder, "noSuchFunction")
    assert hasattr(system.mes.productionOrder, "saveProductionOrder")


def test_functions_describe_themselves(system):
    fn = system.mes.productionOrder.reportProduction
    assert str(inspect.signature(fn)) == "(productionOrderIdOrName, quantity, reason=None, person=None)"
    assert str(inspect.signature(system.mes.productionOrder.saveProductionOrder)) == "(**productionOrderData)"
    assert "quantityProduced" in fn.__doc__ and "PRODUCTION_ORDER.EXECUTE" in fn.__doc__
    assert fn.__name__ == "reportProduction"
    assert repr(fn) == "<script function system.mes.productionOrder.reportProduction(productionOrderIdOrName, quantity, reason=None, person=None)>"
    assert system.mes.productionOrder.reportProduction is fn  # cached


def test_default_system_reads_the_environment_lazily(server_url, monkeypatch):
    import os

    token = os.environ["SHOPFLOOR_TOKEN"]
    monkeypatch.setenv("SHOPFLOOR_URL", server_url)
    monkeypatch.setenv("SHOPFLOOR_TOKEN", token)
    lazy = shopfloor.System()
    assert "not yet connected" in repr(lazy)
    assert lazy.mes.unitOfMeasure.getUnitOfMeasure("no such unit") is None
    assert lazy.client.url == server_url and lazy.client.transport.token == token
    lazy.close()
    assert isinstance(shopfloor.system, shopfloor.System)


def test_from_shopfloor_import_system_in_a_script(server_url, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import SRC

    script = tmp_path / "script.py"
    script.write_text(
        "from shopfloor import system\n"
        "unit = system.mes.unitOfMeasure.getUnitOfMeasureOrCreateNew('Script unit', 'scr')\n"
        "print(unit.symbol)\n"
    )
    env = dict(os.environ, SHOPFLOOR_URL=server_url, PYTHONPATH=str(SRC))
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "scr"


def test_new_server_functions_are_picked_up_without_a_client_change(stub):
    # The stub's catalogue has functions this client knows nothing about; they work all the same.
    assert dir(stub.mes) == ["stub"]
    assert "echo" in dir(stub.mes.stub)


# -- one call in each module ----------------------------------------------------------------------

def test_unit_of_measure_module(system):
    uom = system.mes.unitOfMeasure
    kg = uom.saveUnitOfMeasure(name=unique("kg"), symbol=unique("kg"))
    g = uom.getUnitOfMeasureOrCreateNew(unique("g"), "g")
    conversion = uom.saveUnitOfMeasureConversion(fromId=kg.id, toId=g.id, conversionFactor=1000)
    assert conversion.id
    assert uom.convert(2, kg.name, g.name) == 2000
    assert uom.doesUnitOfMeasureExist(kg.id) is True
    assert uom.doesUnitOfMeasureExist(unique("nothing")) is False


def test_material_module(system, master):
    material = system.mes.material
    leaf = material.createMaterialClassesForPath(unique("Raw") + "/Dairy")
    assert leaf.name == "Dairy"
    milk = material.saveMaterial(name=unique("Milk"), materialClassId=leaf.id, unitOfMeasureId=master.unit.id,
                                 erpId=unique("erp"))
    assert material.getMaterialByErpId(milk.erpId).id == milk.id
    assert material.getMaterial(milk.path).id == milk.id


def test_location_module(system):
    location = system.mes.location
    site = location.saveLocation(name=unique("Site"))
    line = location.saveLocation(name="Line 1", parentId=site.id, type="LINE")
    assert line.path == site.name + "/Line 1"
    assert [child.id for child in location.getChildren(site.path)] == [line.id]


def test_customer_module(system):
    customer = system.mes.customer
    acme = customer.saveCustomer(name=unique("Acme"), city="Oslo")
    assert customer.getCustomer(acme.name).city == "Oslo"
    found = customer.findCustomers(filters=[{"field": "name", "condition": "EQUALS", "stringValue": acme.name}])
    assert found.totalElements == 1 and found.content[0].id == acme.id


def test_shift_module(system):
    site = system.mes.location.saveLocation(name=unique("Shift site"))
    shift = system.mes.shift.saveShift(name=unique("Day"), locationId=site.id)
    record = system.mes.shift.startShift(site.path, shift.name)
    assert record.status == "ACTIVE" and record.shiftId == shift.id
    assert system.mes.shift.getCurrentShiftRecord(site.path).id == record.id
    stopped = system.mes.shift.stopShift(locationIdOrPath=site.path, name=shift.name)
    assert stopped.status == "CLOSED"


def test_query_module(system, make_order):
    order = make_order()
    request = system.mes.query.newQueryRequest()
    request.pageSize = 10
    request.pageIndex = 0
    condition = system.mes.query.newFilterRequest()
    condition.update(field="name", condition="EQUALS", stringValue=order.name)
    request.filters = [condition]
    assert system.mes.query.validateQueryRequest(**request) == {}
    result = system.mes.productionOrder.findProductionOrders(**request)
    assert result.totalElements == 1 and result.content[0].id == order.id
    problems = system.mes.query.validateQueryRequest(filters=[{"field": "nope", "condition": "EQUALS"}])
    assert problems and isinstance(problems, dict)


def test_production_order_module_lifecycle(system, make_order):
    order = make_order(quantity=50)
    po = system.mes.productionOrder
    assert "RUNNING" in po.getAllowedTransitions(order.id)
    po.startProductionOrder(order.id)
    po.reportProduction(order.id, 50)
    po.stopProductionOrder(order.id)
    closed = po.closeProductionOrder(order.id, "done")
    assert closed.status == "CLOSED" and closed.quantityProduced == 50
    history = po.getProductionOrderHistory(order.id)
    assert isinstance(history, list) and len(history) >= 3
    assert "PRODUCTION_ORDER.WRITE.SAVE" in po.getProductionOrderPermissions()


def test_import_returns_the_job_id_and_the_job_pages_its_rows(system, master):
    po = system.mes.productionOrder
    prefix = unique("IMP")
    rows = [
        {"name": "%s-%d" % (prefix, i), "productId": master.product.id, "unitOfMeasureId": master.unit.id, "quantity": i}
        for i in range(1, 6)
    ]
    rows.append({"name": prefix + "-bad", "productId": master.product.id, "unitOfMeasureId": master.unit.id, "quantity": -1})
    dry = po.importProductionOrders(rows, "json", dryRun=True)
    assert dry.created == 5 and dry.errors == 1
    job_id = po.importProductionOrders(data=rows, format="json")
    assert isinstance(job_id, str) and job_id
    deadline = time.monotonic() + 30
    job = po.getImportJob(job_id)
    while job.status != "DONE" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = po.getImportJob(job_id)
    assert (job.status, job.total, job.created, job.errors) == ("DONE", 6, 5, 1)
    page = po.getImportJob(job_id, pageIndex=1, pageSize=2)
    assert [r.row for r in page.rows] == [3, 4]
    assert (page.totalElements, page.totalPages, page.hasNext, page.hasPrevious) == (6, 3, True, True)
    errors = po.getImportJob(job_id, status="error")
    assert [r.name for r in errors.rows] == [prefix + "-bad"] and errors.totalElements == 1
    assert "quantity" in errors.rows[0].errors
    with pytest.raises(ValidationError) as bad:
        po.getImportJob(job_id, pageSize=5000)
    assert "pageSize" in bad.value.fields


def test_raw_requests_reach_the_rest_api(system, make_order):
    order = make_order()
    fetched = system.client.request("GET", "/api/v1/production-orders/" + order.id)
    assert fetched.id == order.id
    with pytest.raises(ShopfloorError):
        system.client.request("GET", "/api/v1/production-orders/" + unique("missing"))
