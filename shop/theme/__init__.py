"""The nursery's own pages: care guides, the plant finder, My Jungle, workshops.

Each page is one small module with its routes and the few domain functions behind them (which take
plain values, never the request); workshop booking itself is orders/bookings.py, with the money.
"""
