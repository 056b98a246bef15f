from __future__ import annotations

import random

import pytest

from portal.catalogue import demo
from portal.demo import SeedContext


@pytest.fixture
def service_list(db):
    """The demo city's service list, as seed_demo loads it."""
    demo.seed(SeedContext(rng=random.Random(1), options={}, write=lambda line: None))
