"""The seed's code example (shared/seeds/saveProductionOrder.md) runs unchanged.

Only the connect line is added, and the two literal ids ('01JCH3ENGW-82KJDZDR-JHGYCXQN' for the
product, '01JCH3EPVP-1MNNDJTS-37Z75NGB' for the unit) are replaced by records created first.
Every other line of the example below is verbatim.
"""

import json

from shopfloor import connect


def _printed_json(text):
    """The JSON documents printed one after another."""
    decoder = json.JSONDecoder()
    documents, index = [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return documents
        document, index = decoder.raw_decode(text, index)
        documents.append(document)


def test_seed_example_runs_unchanged(server_url, capsys):
    system = connect(server_url)

    # Records the example's ids stand for.
    unit = system.mes.unitOfMeasure.saveUnitOfMeasure(name="Seed unit", symbol="su")
    material_class = system.mes.material.saveMaterialClass(name="Seed class")
    product = system.mes.material.saveMaterial(
        name="Seed product", materialClassId=material_class.id, unitOfMeasureId=unit.id
    )
    capsys.readouterr()

    # ---- the seed's example, verbatim but for the two ids --------------------------------------
    # Generate the object structure for a new production order object, set the initial arguments and save it
    new_production_order = system.mes.productionOrder.newProductionOrder()
    new_production_order['productId'] = product.id
    new_production_order['name'] = 'Order002'
    new_production_order['unitOfMeasureId'] = unit.id
    saved_production_order = system.mes.productionOrder.saveProductionOrder(**new_production_order)

    # Output the JSON representation of the saved production order
    print(saved_production_order)

    # Generate the object structure for another new production order to update the previous production order
    production_order_data = system.mes.productionOrder.newProductionOrder()

    # Set basic attributes for the updated production order
    production_order_data['id'] = saved_production_order.id
    production_order_data['productId'] = product.id
    production_order_data['name'] = 'Order002'
    production_order_data['unitOfMeasureId'] = unit.id
    production_order_data['quantity'] = '100'
    # (You can continue setting other properties as needed here)

    # Save the production order to update it in the system
    updated_production_order = system.mes.productionOrder.saveProductionOrder(**production_order_data)

    # Output the JSON representation of the updated production order
    print(updated_production_order)
    # ---- end of the example ----------------------------------------------------------------------

    out = capsys.readouterr().out
    first, second = _printed_json(out)
    assert "\n  \"id\": " in out, "print() shows indented JSON"
    assert first["id"] == second["id"] == saved_production_order.id
    assert first["name"] == second["name"] == "Order002"
    assert first["version"] == 1 and second["version"] == 2
    assert first["quantity"] == 0 and second["quantity"] == 100
    assert second["productId"] == product.id and second["unitOfMeasureId"] == unit.id
    assert updated_production_order.quantity == 100.0
    stored = system.mes.productionOrder.getProductionOrder("Order002")
    assert stored.id == saved_production_order.id and stored.quantity == 100.0 and stored.status == "IDLE"
    system.close()
