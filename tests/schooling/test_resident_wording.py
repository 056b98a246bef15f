"""School pages for families: the check page lists the schools chosen; the round's lottery
seed is explained in plain words; an open round reads as open, not as a link."""

from __future__ import annotations

from schooling import services
from schooling.models import Tenure


def test_the_check_page_lists_the_schools_chosen(client, enrolment_round, family, schools):
    user, _guardian, child = family
    application = services.create_application(
        actor=user, round_id=enrolment_round.pk, child_id=child.pk, tenure=Tenure.RENTED
    )
    services.save_preferences(
        actor=user, application_id=application.pk, school_ids=[schools["X"].pk, schools["Y"].pk]
    )
    client.force_login(user)

    page = client.get(f"/school/applications/{application.pk}/check/").content.decode()

    chosen = page[page.index("data-schools-chosen") :]
    assert chosen.index(schools["X"].display_name) < chosen.index(schools["Y"].display_name)


def test_an_open_round_reads_as_open(client, enrolment_round, family):
    user, _guardian, _child = family
    client.force_login(user)
    page = client.get(f"/school/rounds/{enrolment_round.pk}/").content.decode()
    assert "受理中" in page
    assert "查看" not in page.split("</h1>")[0]
