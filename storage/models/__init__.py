"""The shared tables (org, outbox, audit, dialogs, settings, inbox, holidays), one module each.

A feature's own tables live in its package (`storage/<feature>/models.py`). `storage.tables` lists them all
for Alembic and the tests; importing it here would import every feature whenever a shared table is used.
"""
