"""Versioned schema migrations (Alembic), applied at start-up."""
