"""The residents' part of the demo city."""

from portal.demo import SeedContext


def seed(ctx: SeedContext) -> None:
    pass
