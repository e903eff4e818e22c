"""Registers the session-scoped ``exported`` fixture of export_fixtures.py for tests/export."""

from export_fixtures import exported  # noqa: F401
