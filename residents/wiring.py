"""What the residents app registers with the platform: application kinds, navigation entries."""


def register() -> None:
    pass
