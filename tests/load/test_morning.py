"""The school-round morning (load/morning.py): its counts find a lost and a doubled row, and the
whole morning run small against the test database comes out with every count matching."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from load import morning_data
from portal.accounts.models import User
from portal.areas.models import Area, Level
from schooling import services
from schooling.models import Offer, OfferEvent, OfferStatus, Preference, School, Stage
from tests import factories
from tests.killed_worker import child_environment, database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_city(db):
    tree = factories.build_area_tree(districts=1)
    community = Area.objects.get(level=Level.COMMUNITY)
    for grid in tree["grids"][0]:
        factories.AddressFactory(grid=grid)
    School.objects.bulk_create(
        School(
            code=f"M{i:03d}",
            name=f"第{i + 1}小学",
            stage=Stage.PRIMARY,
            district=tree["districts"][0],
            community=community,
        )
        for i in range(morning_data.DRAW_SCHOOLS)
    )
    factories.UserFactory(username="admin", is_superuser=True, is_staff=True)


def _user_of(item: dict) -> User:
    from knox.crypto import hash_token
    from knox.models import AuthToken

    return AuthToken.objects.get(digest=hash_token(item["token"])).user


def _morning(plan: dict) -> None:
    """Every family's request through the services, and the draw."""
    for item in plan["preferences"]:
        services.save_preferences(
            actor=_user_of(item), application_id=item["application"], school_ids=item["schools"]
        )
    for item in plan["acceptances"]:
        services.accept_offer(actor=_user_of(item), offer_id=item["offer"])
    admin = User.objects.get(username=plan["draw_actor"])
    services.run_first_round(actor=admin, round_id=plan["draw_round"])


def _differing(plan: dict) -> dict[str, tuple[int, int]]:
    checks = morning_data.count(
        plan,
        submitted=[p["application"] for p in plan["preferences"]],
        accepted=[a["offer"] for a in plan["acceptances"]],
    )
    return {c.name: (c.expected, c.found) for c in checks if not c.holds}


def test_a_morning_done_once_counts_as_expected(small_city):
    plan = morning_data.prepare(parents=6, accepts=5, draw_families=12)

    _morning(plan)

    assert _differing(plan) == {}


def test_a_lost_preference_set_is_reported(small_city):
    plan = morning_data.prepare(parents=6, accepts=5, draw_families=12)
    _morning(plan)

    Preference.objects.filter(application_id=plan["preferences"][0]["application"]).delete()

    assert _differing(plan) == {
        "preference sets saved exactly as sent": (6, 5),
        "preference sets lost": (0, 1),
    }


def test_a_doubled_acceptance_is_reported(small_city):
    plan = morning_data.prepare(parents=6, accepts=5, draw_families=12)
    _morning(plan)
    offer = Offer.objects.get(pk=plan["acceptances"][0]["offer"])
    first = OfferEvent.objects.get(offer=offer, to_status=OfferStatus.ACCEPTED)

    OfferEvent.objects.create(
        offer=offer, from_status=OfferStatus.OFFERED, to_status=OfferStatus.ACCEPTED, at=first.at
    )

    assert _differing(plan) == {
        "acceptance history rows": (5, 6),
        "offers accepted twice": (0, 1),
    }


def test_a_doubled_preference_row_is_reported(small_city):
    plan = morning_data.prepare(parents=6, accepts=5, draw_families=12)
    _morning(plan)
    item = plan["preferences"][0]
    spare = School.objects.exclude(pk__in=item["schools"]).first()

    Preference.objects.create(
        application_id=item["application"], rank=len(item["schools"]) + 1, school=spare, category=2
    )

    assert _differing(plan) == {
        "preference sets saved exactly as sent": (6, 5),
        "preference sets doubled": (0, 1),
    }


def test_an_acceptance_never_sent_is_reported(small_city):
    plan = morning_data.prepare(parents=6, accepts=5, draw_families=12)
    _morning(plan)

    checks = morning_data.count(
        plan,
        submitted=[p["application"] for p in plan["preferences"]],
        accepted=[a["offer"] for a in plan["acceptances"][1:]],
    )

    assert {c.name: (c.expected, c.found) for c in checks if not c.holds} == {
        "offers accepted that nobody accepted": (0, 1),
        "acceptance history rows": (4, 5),
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_small_morning_under_gunicorn_counts_every_submission_once(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", "--persons", "300", stdout=StringIO())
    # The test's own database, Redis and broker, also when they are the embedded servers (a
    # unix socket, no URL in the environment).
    env = child_environment(
        MORNING_DATABASE_URL=database_url(),
        MORNING_PARENTS="40",
        MORNING_ACCEPTS="10",
        MORNING_DRAW_FAMILIES="60",
        MORNING_SECONDS="10",
        MORNING_RESEND_SHARE="0.2",
        LOAD_WORKERS="2",
        LOG_LEVEL="WARNING",
    )

    done = subprocess.run(
        [sys.executable, "-m", "load", "morning"],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Every count matches." in done.stdout
    assert (
        Preference.objects.filter(application__round__name__startswith="早高峰志愿")
        .values("application")
        .distinct()
        .count()
        == 40
    )
    assert (
        Offer.objects.filter(
            status=OfferStatus.ACCEPTED, round__name__startswith="早高峰录取"
        ).count()
        == 10
    )
