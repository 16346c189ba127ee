"""A connection lost under a write (a node killed, the proxy cutting it): transaction_with_retry() runs the
work again on a new connection only when that cannot do it twice. A COMMIT that lost its answer may have
happened, so only idempotent work (checkout and booking, which find their key first) is run again."""
from contextlib import contextmanager

import pytest
from peewee import OperationalError

from shop import db
from shop.db import database, transaction_with_retry
from shop.models import BalanceLedger, User
from shop.orders.ledger import move_balance

from .conftest import create_user

LOST = (2013, "Lost connection to server during query")


@pytest.fixture
def commit_loses_its_answer(monkeypatch):
    """Call it to make the next COMMIT go through and then lose its connection before the answer comes."""
    real, lost = db.write_transaction, []

    @contextmanager
    def committed_then_lost():
        with real():
            yield
        if not lost:
            lost.append(1)
            raise OperationalError(*LOST)

    def arm():
        monkeypatch.setattr(db, "write_transaction", committed_then_lost)
        monkeypatch.setattr(db, "is_lost_connection", lambda error: db.error_code(error) == LOST[0])
        monkeypatch.setattr(db, "FAILOVER_PAUSE", 0)

    return arm


@pytest.fixture(autouse=True)
def closed_after(app):
    """The work runs on the thread's own connection, as in a request (a lost one is dropped and reopened)."""
    yield
    database.close()


def credits(user):
    with database.connection_context():
        rows = BalanceLedger.select().where(BalanceLedger.user == user.id, BalanceLedger.reason == "adjustment")
        return [row.delta_cents for row in rows], User.get_by_id(user.id).balance_cents


def test_work_that_may_have_committed_is_not_run_again(app, commit_loses_its_answer):
    user = create_user(balance_cents=10_00)
    commit_loses_its_answer()
    with pytest.raises(OperationalError):  # the error pages' 503
        transaction_with_retry(lambda: move_balance(user.id, 5_00, "adjustment", "goodwill"))
    assert credits(user) == ([5_00], 15_00)  # it had committed: credited once, never twice


def test_idempotent_work_is_run_again_and_finds_what_it_did(app, commit_loses_its_answer):
    user = create_user(balance_cents=10_00)
    runs = []

    def credit_once():
        runs.append(1)
        if not BalanceLedger.select().where(BalanceLedger.reference == "goodwill").exists():
            move_balance(user.id, 5_00, "adjustment", "goodwill")
        return "done"

    commit_loses_its_answer()
    assert transaction_with_retry(credit_once, idempotent=True) == "done"
    assert len(runs) == 2 and credits(user) == ([5_00], 15_00)


def test_a_connection_lost_before_commit_is_run_again(app, monkeypatch):
    monkeypatch.setattr(db, "is_lost_connection", lambda error: db.error_code(error) == LOST[0])
    monkeypatch.setattr(db, "FAILOVER_PAUSE", 0)
    user = create_user(balance_cents=10_00)
    runs = []

    def credit():
        runs.append(1)
        move_balance(user.id, 5_00, "adjustment", "goodwill")
        if len(runs) == 1:  # lost before COMMIT was sent: rolled back, safe to run again
            raise OperationalError(*LOST)

    transaction_with_retry(credit)
    assert len(runs) == 2 and credits(user) == ([5_00], 15_00)
