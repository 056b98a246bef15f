"""The demo city's areas and addresses."""

from portal.demo import SeedContext


def seed(ctx: SeedContext) -> None:
    pass
