"""The back office: the people who run the nursery, from the browser, at /staff.

access (who may enter, the audit trail) · products (the catalogue: edit in place, restock, add,
hide) · fulfilment (orders through their statuses, cancel and refund) · people (customers and their
balance, reviews, workshops) · mailroom (the outbox: failing and given-up messages, retry) · *_views (the
routes: one blueprint per area, every one closed with a 404 to anyone who is not staff).
"""
