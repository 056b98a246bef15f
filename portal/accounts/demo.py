"""The demo accounts of every role."""

from portal.demo import SeedContext


def seed(ctx: SeedContext) -> None:
    pass
