"""What the projection registers with the platform: its menu entries for analysts."""

from __future__ import annotations


def register() -> None:
    """Menu entries arrive with the pages."""
