"""Accounts: registration with live checks, email verification, passwords, sessions, the account page.

validation (the rules, shared with static/js/rules.js) · passwords (argon2id) · registration (new
accounts, verification links) · sessions (who is logged in) · overview (the account page's figures)
· views (the routes of the `auth` blueprint).
"""
