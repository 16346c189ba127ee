"""Orders and money: the cart, checkout, workshop bookings, the balance ledger, and their routes.

cart (the domain of the cart) · checkout (buy the cart: locks, ledger, email) · bookings (workshop
seats, the same rules) · ledger (every balance change) · cart_views and views (the routes).
"""
