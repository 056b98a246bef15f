"""Point the uploads at a test's own folder: settings.UPLOAD_ROOT and the `uploads` storage."""

from __future__ import annotations

from pathlib import Path


def use_upload_root(settings, root: Path) -> Path:
    """Files stored through portal.uploads and backups of UPLOAD_ROOT both land in `root`."""
    settings.UPLOAD_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {
            **settings.STORAGES["uploads"],
            "OPTIONS": {**settings.STORAGES["uploads"]["OPTIONS"], "location": str(root)},
        },
    }
    return root
