"""The balance ledger: every change to a balance, and the only code that changes one.

move_balance() changes users.balance_cents with a conditional UPDATE (never below zero) and writes
the balance_ledger row in the same transaction, so for every user
balance_cents = SUM(balance_ledger.delta_cents), whatever interleaving of requests.
"""
from peewee import fn

from .. import metrics
from ..db import on_commit
from ..models import BalanceLedger, User, utcnow

REASON_LABELS = {
    "opening_balance": "Opening balance",
    "order": "Order",
    "booking": "Workshop booking",
    "refund": "Refund",
    "adjustment": "Adjustment",
}


class InsufficientBalance(Exception):
    """The balance does not cover the charge; .balance_cents is the balance now."""

    def __init__(self, balance_cents):
        super().__init__(balance_cents)
        self.balance_cents = balance_cents


def move_balance(user_id, delta_cents, reason, reference=""):
    """Add delta_cents (negative to charge) to the balance and record it; call inside a transaction.

    Raises InsufficientBalance, having changed nothing, when a charge would take the balance below
    zero. Returns the balance after the move. A move of zero writes nothing.
    """
    if reason not in REASON_LABELS:
        raise ValueError(f"unknown ledger reason {reason!r}")
    if delta_cents:
        changed = (User.update(balance_cents=User.balance_cents + delta_cents)
                   .where(User.id == user_id, User.balance_cents + delta_cents >= 0).execute())
        if changed != 1:
            raise InsufficientBalance(current_balance(user_id))
        BalanceLedger.create(user=user_id, delta_cents=delta_cents, reason=reason, reference=reference,
                             created_at=utcnow())
        on_commit(lambda: metrics.count_money(reason, delta_cents))
    return current_balance(user_id)


def open_balance(user_id, cents):
    """The ledger row of a new account's starting balance (the users row already holds it)."""
    BalanceLedger.create(user=user_id, delta_cents=cents, reason="opening_balance", reference="", created_at=utcnow())


def current_balance(user_id):
    """The balance as committed now (inside a transaction: including this transaction's moves)."""
    return User.select(User.balance_cents).where(User.id == user_id).scalar()


def statement(user_id, limit=50):
    """The newest ledger rows of a customer with the balance after each: [(row, balance_after)]."""
    rows = list(BalanceLedger.select().where(BalanceLedger.user == user_id)
                .order_by(BalanceLedger.id.desc()).limit(limit))
    after = current_balance(user_id)
    lines = []
    for row in rows:
        lines.append((row, after))
        after -= row.delta_cents
    return lines


def refund_for(user_id, reference):
    """The refund of an order or booking with the balance right after it: (row, balance_after), or None."""
    row = (BalanceLedger.select().where(BalanceLedger.user == user_id, BalanceLedger.reason == "refund",
                                        BalanceLedger.reference == reference)
           .order_by(BalanceLedger.id.desc()).first())
    if row is None:
        return None
    after = (BalanceLedger.select(fn.SUM(BalanceLedger.delta_cents))
             .where(BalanceLedger.user == user_id, BalanceLedger.id <= row.id).scalar())
    return row, int(after or 0)


def mismatches():
    """Users whose balance differs from the sum of their ledger rows: [(user id, balance, sum)]."""
    sums = (BalanceLedger.select(BalanceLedger.user, fn.SUM(BalanceLedger.delta_cents).alias("total"))
            .group_by(BalanceLedger.user))
    ledger = {row.user_id: int(row.total) for row in sums}
    return [(user_id, balance, ledger.get(user_id, 0))
            for user_id, balance in User.select(User.id, User.balance_cents).tuples()
            if ledger.get(user_id, 0) != balance]
