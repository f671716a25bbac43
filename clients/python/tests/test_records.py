"""Results: Records with attribute access, nested conversion, ApiResponse, readable print()."""

import copy
import json
import pickle

import pytest

from shopfloor import ApiResponse, Record


def test_saved_record_allows_attribute_and_item_access(make_order, master):
    order = make_order()
    assert isinstance(order, dict) and isinstance(order, Record)
    assert order.id == order["id"]
    assert order.productId == master.product.id
    assert order.status == order["status"] == "IDLE"
    assert "id" in dir(order) and "unitOfMeasureSymbol" in dir(order)
    with pytest.raises(AttributeError, match="noSuchField"):
        order.noSuchField
    with pytest.raises(KeyError):
        order["noSuchField"]
    assert getattr(order, "noSuchField", "fallback") == "fallback"


def test_attribute_assignment_writes_the_key_and_a_fetched_record_saves_back(system, make_order):
    order = system.mes.productionOrder.getProductionOrder(make_order().name)
    order.notes = "set as attribute"
    order["quantity"] = 12
    assert order["notes"] == "set as attribute" and order.quantity == 12
    saved = system.mes.productionOrder.saveProductionOrder(**order)  # derived keys are ignored
    assert saved.notes == "set as attribute" and saved.quantity == 12 and saved.version == 2
    del order.notes
    assert "notes" not in order
    with pytest.raises(AttributeError):
        del order.notes


def test_nested_objects_and_lists_are_records(system, master, make_order):
    tree_root = system.mes.location.saveLocation(name="Tree root")
    system.mes.location.saveLocation(name="Tree line", parentId=tree_root.id, type="LINE")
    tree = system.mes.location.getLocationTree("Tree")
    root = [node for node in tree if node.name == "Tree root"][0]
    assert isinstance(root.children, list)
    assert root.children[0].name == "Tree line" and root.children[0].path == "Tree root/Tree line"
    assert isinstance(root.children[0], Record)

    order = make_order()
    references = system.mes.material.getMaterialReferences(master.product.id)
    assert any(ref.tableName == "production_orders" for ref in references)
    orders_table = [ref for ref in references if ref.tableName == "production_orders"][0]
    assert order.id in [r.id for r in orders_table.references]


def test_records_assigned_later_are_converted_too():
    record = Record(a={"b": {"c": 1}}, items=[{"d": 2}])
    assert record.a.b.c == 1
    assert record["items"][0].d == 2  # 'items' is a dict method, so item access there
    record.e = {"f": [{"g": 3}]}
    assert record.e.f[0].g == 3
    record.update(h={"i": 4})
    assert record.h.i == 4
    assert record.setdefault("j", {"k": 5}).k == 5
    assert (record | {"l": {"m": 6}}).l.m == 6
    assert isinstance(record.copy(), Record)


def test_records_copy_pickle_and_serialize_like_dicts(make_order):
    order = make_order()
    clone = copy.deepcopy(order)
    assert clone == order and isinstance(clone, Record) and clone.id == order.id
    assert pickle.loads(pickle.dumps(order)) == order
    assert json.loads(json.dumps(order)) == dict(order)
    assert repr(order).startswith("{'id': ")


def test_print_shows_readable_json(make_order, capsys):
    order = make_order(notes="naïve ✓")
    print(order)
    out = capsys.readouterr().out
    assert out.startswith("{\n  \"id\": ")
    assert "naïve ✓" in out
    assert json.loads(out) == dict(order)


def test_delete_returns_an_api_response(system, master, make_order):
    order = make_order()
    deleted = system.mes.productionOrder.deleteProductionOrder(order.id)
    assert isinstance(deleted, ApiResponse) and isinstance(deleted, dict)
    assert deleted.success is True and deleted["success"] is True
    assert deleted.error is None
    assert system.mes.productionOrder.getProductionOrder(order.id) is None

    make_order()
    refused = system.mes.unitOfMeasure.deleteUnitOfMeasure(master.unit.id)
    assert isinstance(refused, ApiResponse)
    assert refused.success is False
    assert "referenced" in refused.message and refused.error
    tables = {entry.tableName for entry in refused.data}
    assert {"production_orders", "materials"} <= tables


def test_getters_answer_none_and_lists(system, make_order):
    assert system.mes.productionOrder.getProductionOrder("no such order") is None
    order = make_order()
    orders = system.mes.productionOrder.getAllProductionOrders()
    assert isinstance(orders, list) and order.id in {o.id for o in orders}
    assert system.mes.productionOrder.validateProductionOrder(name="") != {}
