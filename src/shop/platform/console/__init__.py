"""The operator console: admin pages that answer "where is this order stuck?".

- the timeline of one aggregate (an order, or any event subject): every event it caused, in
  every hosted context, each with its outbox row and its handlers' inbox rows, and what the
  saga waits for now (`timeline`, `expectations`);
- the events overview: lag, pending and dead rows per hosted context, and the handlers that
  fail most (`overview`, fed by `shop.platform.events.operations`);
- a search box (order id, event id or correlation id) and a retry of one dead or parked row,
  confirmed, logged.

Each store is read on its own through the event bus's stores (never one query across
stores), and only the stores this process hosts. The pages are the admin site's
(`site.ShopAdminSite`, the project's admin site); the contexts plug in what their sagas wait
for through `Wiring.expect` (`expectations`), so the platform knows no context's saga.
"""
