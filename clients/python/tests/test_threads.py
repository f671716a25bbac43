"""One client shared by 8 threads: every call succeeds, each thread keeps one connection alive."""

import threading

from shopfloor import connect

from conftest import unique

THREADS = 8
ORDERS_PER_THREAD = 100


def test_eight_threads_share_one_client_and_save_100_orders_each(server_url, master):
    system = connect(server_url, timeout=30)
    po = system.mes.productionOrder  # fetches the catalogue on this thread (one connection)
    prefix = unique("thread")
    barrier = threading.Barrier(THREADS)
    saved = [[] for _ in range(THREADS)]
    errors = []

    def work(index):
        try:
            barrier.wait(timeout=10)
            for n in range(ORDERS_PER_THREAD):
                data = po.newProductionOrder()
                data["name"] = "%s-%d-%03d" % (prefix, index, n)
                data["productId"] = master.product.id
                data["unitOfMeasureId"] = master.unit.id
                data["quantity"] = n
                saved[index].append(po.saveProductionOrder(**data))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append((index, repr(exc)))

    threads = [threading.Thread(target=work, args=(i,), name="saver-%d" % i) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    orders = [order for per_thread in saved for order in per_thread]
    assert len(orders) == THREADS * ORDERS_PER_THREAD
    assert len({order.id for order in orders}) == THREADS * ORDERS_PER_THREAD
    for index, per_thread in enumerate(saved):
        assert [o.name for o in per_thread] == ["%s-%d-%03d" % (prefix, index, n) for n in range(ORDERS_PER_THREAD)]
        assert all(o.quantity == n and o.version == 1 for n, o in enumerate(per_thread))

    found = po.findProductionOrders(filters=[{"field": "name", "condition": "STARTS_WITH", "stringValue": prefix}])
    assert found.totalElements == THREADS * ORDERS_PER_THREAD

    # Keep-alive: one connection per thread (plus the main thread's), not one per call.
    assert system.client.transport.connections_opened <= THREADS + 1
    system.close()


def test_a_closed_client_reconnects_on_the_next_call(server_url):
    system = connect(server_url)
    assert system.mes.query.newQueryRequest().pageSize is None
    opened = system.client.transport.connections_opened
    system.close()
    assert system.mes.query.newQueryRequest().pageSize is None
    assert system.client.transport.connections_opened == opened + 1
    for _ in range(20):
        system.mes.query.newQueryRequest()
    assert system.client.transport.connections_opened == opened + 1
    system.close()
