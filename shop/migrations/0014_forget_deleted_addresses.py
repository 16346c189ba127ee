"""Orders of accounts deleted before deleting cleared the address (issue 25): the delivery address copied onto
each order (ship_to) stayed after the person left. accounts.leaving.forget_person() clears it now; this clears
it for the accounts deleted earlier. The order keeps its number, amounts and lines: the books stay whole."""


def up(db, mysql):
    """Clear ship_to on every order of a deleted account (safe to run again)."""
    db.execute_sql("UPDATE orders SET ship_to = NULL WHERE ship_to IS NOT NULL "
                   "AND user_id IN (SELECT id FROM users WHERE deleted_at IS NOT NULL)")
