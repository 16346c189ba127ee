"""Money under every interleaving: racing tabs, racing adds, changed prices, deadlocks, the ledger.

Races go over real HTTP to the app served by a threaded server (one connection per request, as in
production), on SQLite and on MariaDB. Every test also ends with conftest.assert_ledger_balanced().
"""
import re
import threading

import pytest
import requests
from peewee import OperationalError

from shop import db as shop_db
from shop.db import database
from shop.models import (
    BalanceLedger,
    CartItem,
    EmailOutbox,
    Order,
    OrderItem,
    Product,
    Review,
    User,
)
from shop.orders.checkout import CheckoutRefused, place_order
from shop.orders.ledger import mismatches, statement

from .conftest import buy, create_user, csrf_token
from .helpers import HX


def product(sku):
    """A seeded product, fresh from the database."""
    with database.connection_context():
        return Product.get(Product.sku == sku)


def balance(user):
    """The user's balance as committed now."""
    with database.connection_context():
        return User.get_by_id(user.id).balance_cents


def run_together(count, work):
    """Start `count` threads at one moment, each running work(n); return the exceptions raised."""
    start, errors = threading.Barrier(count), []

    def runner(n):
        start.wait()
        try:
            work(n)
        except Exception as error:  # collected so the test can assert on them
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


class Browser:
    """A customer's browser over real HTTP: log in once, then open tabs that share the cookie."""

    def __init__(self, base_url, login="fernfan", password="Gr33n-Fingers"):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.post(base_url + "/login", data={"login": login, "password": password,
                                                     "csrf_token": self.token("/login")})

    def token(self, path="/"):
        """The CSRF token of a page."""
        html = self.session.get(self.base_url + path).text
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def tab(self):
        """A new tab: the same cookies, its own connection."""
        tab = requests.Session()
        tab.cookies.update(self.session.cookies)
        return tab

    def cart_form(self, tab):
        """Open /cart in a tab: the checkout form's fields as that page rendered them."""
        html = tab.get(self.base_url + "/cart").text
        form = html[html.index('id="checkout-form"'):]
        fields = {name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1)
                  for name in ("csrf_token", "idempotency_key", "expected_total_cents")}
        return fields


def fill_cart(user, sku, quantity):
    """Put one line in the customer's cart straight in the database."""
    with database.connection_context():
        CartItem.create(user=user, product=product(sku), quantity=quantity)


def test_tabs_checking_out_one_cart_at_once_buy_it_once(seeded, app, live_server):
    """Two and three tabs, each with its own cart page (its own key), press Buy at one moment:
    one order, one charge, one email; the other tabs are told the cart was just bought. 20 rounds."""
    user = create_user(balance_cents=1500_00)
    browser = Browser(live_server.url)
    for round_number in range(20):
        tabs = 2 + round_number % 2
        fill_cart(user, "FH-10007", 2)  # $24.00 each
        sessions = [browser.tab() for _ in range(tabs)]
        forms = [browser.cart_form(tab) for tab in sessions]
        assert len({form["idempotency_key"] for form in forms}) == tabs
        answers = []

        def press_buy(n):
            response = sessions[n].post(live_server.url + "/checkout", data=forms[n], allow_redirects=False)
            answers.append((response.status_code, response.text))

        assert run_together(tabs, press_buy) == []
        statuses = sorted(status for status, _ in answers)
        assert statuses == [303] + [409] * (tabs - 1), (round_number, statuses)
        with database.connection_context():
            assert Order.select().count() == round_number + 1
            latest = Order.select().order_by(Order.id.desc()).get()
            assert EmailOutbox.select().where(EmailOutbox.subject.contains(latest.number)).count() == 1
            assert CartItem.select().count() == 0
        for status, text in answers:
            if status == 409:
                assert f"It was bought a moment ago in order {latest.number}; nothing more was charged." in text
        assert balance(user) == 1500_00 - (round_number + 1) * 2 * 24_00
    with database.connection_context():
        assert [row.reason for row in BalanceLedger.select().order_by(BalanceLedger.id)] == \
            ["opening_balance"] + ["order"] * 20


def test_twenty_simultaneous_checkouts_of_one_cart(seeded, app, live_server):
    """A frantic customer: twenty requests at once, each with another key. One order."""
    user = create_user(balance_cents=1000_00)
    fill_cart(user, "FH-10007", 3)
    browser = Browser(live_server.url)
    form = browser.cart_form(browser.session)
    tabs = [browser.tab() for _ in range(20)]
    statuses = []

    def checkout(n):
        data = {**form, "idempotency_key": f"k{n}"}
        statuses.append(tabs[n].post(live_server.url + "/checkout", allow_redirects=False, data=data).status_code)

    assert run_together(20, checkout) == []
    assert statuses.count(303) == 1 and statuses.count(409) == 19
    with database.connection_context():
        assert Order.select().count() == 1 and OrderItem.get().quantity == 3
    assert balance(user) == 1000_00 - 3 * 24_00


def test_twenty_simultaneous_adds_are_all_counted(seeded, app, live_server):
    create_user()
    browser = Browser(live_server.url)
    token = browser.token("/")
    tabs = [browser.tab() for _ in range(20)]
    statuses = []

    def add(n):
        response = tabs[n].post(live_server.url + "/cart/add", headers=HX,
                                data={"sku": "FH-10001", "quantity": "1", "csrf_token": token})
        statuses.append(response.status_code)

    assert run_together(20, add) == []
    assert statuses == [200] * 20
    with database.connection_context():
        assert [line.quantity for line in CartItem.select()] == [20]


def test_the_per_line_cap_counts_the_whole_line(seeded, client, auth):
    create_user()
    auth.login()
    with database.connection_context():
        Product.update(stock=500).where(Product.sku == "FH-10042").execute()
    token = csrf_token(client)
    for quantity, status in (("60", 200), ("39", 200), ("1", 422)):
        response = client.post("/cart/add", headers=HX, data={"sku": "FH-10042", "quantity": quantity,
                                                              "csrf_token": token})
        assert response.status_code == status
    assert "at most 99 of one plant" in response.get_data(as_text=True)
    assert "You already have 99 in your cart." in response.get_data(as_text=True)
    with database.connection_context():
        assert CartItem.get().quantity == 99


def test_adds_beyond_stock_racing_stop_at_the_stock(seeded, app, live_server):
    create_user()
    with database.connection_context():
        Product.update(stock=5).where(Product.sku == "FH-10001").execute()
    browser = Browser(live_server.url)
    token = browser.token("/")
    tabs = [browser.tab() for _ in range(12)]
    statuses = []

    def add(n):
        statuses.append(tabs[n].post(live_server.url + "/cart/add", headers=HX,
                                     data={"sku": "FH-10001", "quantity": "1", "csrf_token": token}).status_code)

    assert run_together(12, add) == []
    assert sorted(statuses) == [200] * 5 + [422] * 7
    with database.connection_context():
        assert CartItem.get().quantity == 5


def test_a_price_change_between_cart_and_buy_charges_nothing(seeded, client, auth):
    user = create_user(balance_cents=200_00)
    auth.login()
    client.post("/cart/add", data={"sku": "FH-10001", "quantity": "2", "csrf_token": csrf_token(client)})
    html = client.get("/cart").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    assert 'name="expected_total_cents" value="6800"' in html
    with database.connection_context():
        Product.update(price_cents=36_00).where(Product.sku == "FH-10001").execute()  # staff raise the price
    response = client.post("/checkout", data={"idempotency_key": key, "expected_total_cents": "6800",
                                              "csrf_token": csrf_token(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Prices changed since your cart was shown: the total is now $72.00, not $68.00. Nothing was charged." in page
    assert 'name="expected_total_cents" value="7200"' in page  # the cart comes back with today's total
    assert balance(user) == 200_00 and product("FH-10001").stock == 42
    with database.connection_context():
        assert Order.select().count() == 0 and CartItem.get().quantity == 2
    again = client.post("/checkout", data={"idempotency_key": key, "expected_total_cents": "7200",
                                           "csrf_token": csrf_token(client)})
    assert again.status_code == 303 and balance(user) == 200_00 - 72_00


@pytest.mark.parametrize("total", ["", "abc", "-5", "1e9", "9" * 30, "٣٤"])
def test_a_missing_or_malformed_total_is_refused(seeded, client, auth, total):
    create_user()
    auth.login()
    client.post("/cart/add", data={"sku": "FH-10001", "csrf_token": csrf_token(client)})
    response = client.post("/checkout", data={"idempotency_key": "k", "expected_total_cents": total,
                                              "csrf_token": csrf_token(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    assert "This checkout form is out of date" in client.get("/cart").get_data(as_text=True)
    with database.connection_context():
        assert Order.select().count() == 0


class FailingCommits:
    """Make the next `count` COMMITs fail as InnoDB and Galera report a deadlock or a certification
    conflict (error 1213); the transaction is then rolled back, as the server would have."""

    def __init__(self, monkeypatch, count):
        self.left, self.seen = count, 0
        real_commit = type(database.obj).commit

        def commit(db):
            self.seen += 1
            if self.left > 0:
                self.left -= 1  # peewee rolls the transaction back, as after a real failed COMMIT
                raise OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction")
            return real_commit(db)

        monkeypatch.setattr(type(database.obj), "commit", commit)
        monkeypatch.setattr(shop_db, "BACKOFF_SECONDS", 0.001)


def test_a_deadlock_at_commit_is_retried(seeded, client, auth, monkeypatch):
    user = create_user(balance_cents=200_00)
    auth.login()
    client.post("/cart/add", data={"sku": "FH-10001", "csrf_token": csrf_token(client)})
    form = client.get("/cart").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    token = csrf_token(client)
    commits = FailingCommits(monkeypatch, 3)
    response = client.post("/checkout", data={"idempotency_key": key, "expected_total_cents": "3400",
                                              "csrf_token": token})
    assert response.status_code == 303 and commits.seen == 4
    assert balance(user) == 200_00 - 34_00
    with database.connection_context():
        assert Order.select().count() == 1 and EmailOutbox.select().count() == 1


def test_deadlocks_on_every_try_give_a_clear_refusal_not_a_500(seeded, client, auth, monkeypatch):
    user = create_user(balance_cents=200_00)
    auth.login()
    client.post("/cart/add", data={"sku": "FH-10001", "csrf_token": csrf_token(client)})
    form = client.get("/cart").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    token = csrf_token(client)
    FailingCommits(monkeypatch, 1000)
    data = {"idempotency_key": key, "expected_total_cents": "3400", "csrf_token": token}
    page = client.post("/checkout", data=data)
    assert page.status_code == 503 and page.headers["Retry-After"] == "2"
    assert "The shop is very busy right now." in page.get_data(as_text=True)
    assert "nothing was charged" in page.get_data(as_text=True)
    fragment = client.post("/cart/add", headers=HX, data={"sku": "FH-10042", "csrf_token": token})
    assert fragment.status_code == 503 and fragment.headers["HX-Retarget"] == "#page-notice"
    assert fragment.get_data(as_text=True).startswith('<p class="notice error-notice" role="alert">')
    monkeypatch.undo()
    assert balance(user) == 200_00 and product("FH-10001").stock == 42
    with database.connection_context():
        assert Order.select().count() == 0 and EmailOutbox.select().count() == 0
        assert [(line.product.sku, line.quantity) for line in CartItem.select()] == [("FH-10001", 1)]


def test_twenty_customers_race_for_three_plants(seeded, app):
    basil = product("FH-10042")
    with database.connection_context():
        Product.update(stock=3).where(Product.id == basil.id).execute()
    buyers = [create_user(username=f"buyer{n}", email=f"b{n}@example.com") for n in range(20)]
    for buyer in buyers:
        fill_cart(buyer, "FH-10042", 1)
    results = []

    def checkout(n):
        with app.test_request_context():
            try:
                results.append(place_order(buyers[n], f"race-{n}", 450)[1])
            except CheckoutRefused as refusal:
                results.append(str(refusal))

    assert run_together(20, checkout) == []
    assert results.count(True) == 3
    assert sorted(set(r for r in results if r is not True)) == [
        "Sweet Basil has just sold out. Remove it from your cart to buy the rest."]
    assert product("FH-10042").stock == 0
    with database.connection_context():
        assert Order.select().count() == 3 and EmailOutbox.select().count() == 3
    assert sorted(balance(b) for b in buyers) == [100_00 - 450] * 3 + [100_00] * 17


def test_two_customers_race_for_the_last_plant(seeded, app):
    kentia = product("FH-10032")
    with database.connection_context():
        Product.update(stock=1).where(Product.id == kentia.id).execute()
    buyers = [create_user(username=f"buyer{n}", email=f"b{n}@example.com", balance_cents=500_00) for n in range(2)]
    for buyer in buyers:
        fill_cart(buyer, "FH-10032", 1)
    results = []

    def checkout(n):
        with app.test_request_context():
            try:
                results.append(place_order(buyers[n], f"last-{n}", 79_00)[1])
            except CheckoutRefused as refusal:
                results.append(str(refusal))

    assert run_together(2, checkout) == []
    assert sorted(map(str, results)) == ["Kentia Palm has just sold out. Remove it from your cart to buy the rest.",
                                         "True"]
    assert product("FH-10032").stock == 0
    assert sorted(balance(buyer) for buyer in buyers) == [500_00 - 79_00, 500_00]


def test_reviews_posted_while_the_same_plant_is_bought(seeded, app, live_server):
    """Reviews (insert, then update the product) racing purchases (which lock the product): no 5xx."""
    reviewers = [create_user(username=f"rev{n}", email=f"rev{n}@example.com") for n in range(4)]
    for n, reviewer in enumerate(reviewers):
        order, _ = buy(app, reviewer, [(product("FH-10001").id, 1)], key=f"before-{n}")
        with database.connection_context():  # a review needs the plant to have arrived
            Order.update(status="delivered").where(Order.id == order.id).execute()
    buyers = [create_user(username=f"buy{n}", email=f"buy{n}@example.com") for n in range(4)]
    for buyer in buyers:
        fill_cart(buyer, "FH-10001", 1)
    sessions = [Browser(live_server.url, user.username) for user in reviewers + buyers]
    forms = [None] * 4 + [session.cart_form(session.session) for session in sessions[4:]]
    tokens = [session.token("/products/FH-10001") for session in sessions[:4]]
    statuses = []

    def act(n):
        if n < 4:
            response = sessions[n].session.post(live_server.url + "/products/FH-10001/reviews", headers=HX,
                                                data={"rating": "4", "body": "Thriving.", "csrf_token": tokens[n]})
        else:
            response = sessions[n].session.post(live_server.url + "/checkout", data=forms[n], allow_redirects=False)
        statuses.append((n, response.status_code))

    assert run_together(8, act) == []
    assert sorted(statuses) == [(n, 200) for n in range(4)] + [(n, 303) for n in range(4, 8)]
    with database.connection_context():
        assert Review.select().count() == 4 and Order.select().count() == 8
        monstera = Product.get(Product.sku == "FH-10001")
    assert monstera.stock == 42 - 8


def test_every_balance_change_is_in_the_ledger_and_the_statement(seeded, client, auth, app):
    user = create_user(balance_cents=200_00)
    auth.login()
    order, _ = buy(app, user, [(product("FH-10001").id, 2)], key="ledger-1")
    with database.connection_context():
        rows = [(row.reason, row.delta_cents, row.reference) for row in BalanceLedger.select().order_by(BalanceLedger.id)]
        assert rows == [("opening_balance", 200_00, ""), ("order", -68_00, order.number)]
        assert [after for _, after in statement(user.id)] == [132_00, 200_00]
        assert mismatches() == []
    page = client.get("/account").get_data(as_text=True)
    section = page[page.index('id="statement"'):]
    assert "Opening balance" in section and f">{order.number}</a>" in section
    assert "−$68.00" in section and "$132.00" in section and "+$200.00" in section


def test_a_registration_opens_the_ledger_with_the_random_balance(app, client):
    response = client.post("/register", data={"username": "newfern", "email": "new@example.com",
                                              "password": "Gr33n-Fingers!", "password_confirm": "Gr33n-Fingers!",
                                              "csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 303
    with database.connection_context():
        user = User.get(User.username_lower == "newfern")
        [row] = list(BalanceLedger.select())
    assert (row.user_id, row.delta_cents, row.reason) == (user.id, user.balance_cents, "opening_balance")
    assert 50_00 <= row.delta_cents <= 1500_00


def test_the_ledger_check_finds_a_balance_changed_behind_its_back(seeded, app):
    user = create_user(balance_cents=100_00)
    with database.connection_context():
        User.update(balance_cents=User.balance_cents + 1).where(User.id == user.id).execute()
        assert mismatches() == [(user.id, 100_01, 100_00)]
        User.update(balance_cents=User.balance_cents - 1).where(User.id == user.id).execute()
        assert mismatches() == []
