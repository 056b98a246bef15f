"""A permit of another city of the province, checked with that city's verify API (a second
portal: this portal's own endpoint on a live server), recognised and counted here."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.urls import reverse
from knox.models import AuthToken

from portal.errors import InvalidInput, NotEligible
from residents import selectors
from residents.models import PeerCity, PermitTransfer, TransferPolicy
from residents.services import transfers
from tests.residents.conftest import make_person, months_ago, register

LIVE = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def policy(db):
    policy, _ = TransferPolicy.objects.get_or_create(
        effective_from=dt.date(2016, 1, 1), defaults={"months_recognised": 6}
    )
    return policy


def _peer(url: str, token: str | None = None, code: str = "330300") -> PeerCity:
    return PeerCity.objects.create(
        code=code, name="温州市", verify_url=url, api_token=token or "no-such-token"
    )


@pytest.fixture
def peer(live_server, police_a):
    """The peer city: a portal serving the verify contract, with a department account's token."""
    _, token = AuthToken.objects.create(police_a)
    return _peer(f"{live_server.url}{reverse('api-permit-verify')}", token)


@LIVE
def test_a_valid_permit_of_the_peer_city_is_recognised(resident, me, permit, peer, policy):
    transfer = transfers.transfer_permit_in(
        actor=resident, person_id=me.pk, peer_code="330300", peer_permit_number=permit.number
    )
    assert (transfer.peer, transfer.months_recognised) == (peer, 6)
    assert transfer.peer_valid_until == permit.valid_until
    assert selectors.months_recognised_from_peers(me) == 6


@LIVE
def test_a_permit_the_peer_does_not_know_is_refused_and_nothing_written(
    resident, me, permit, peer, policy
):
    with pytest.raises(NotEligible) as refused:
        transfers.transfer_permit_in(
            actor=resident, person_id=me.pk, peer_code="330300", peer_permit_number="000"
        )
    assert "温州市" in str(refused.value.message)
    assert not PermitTransfer.objects.exists()


@LIVE
def test_a_peer_that_refuses_our_credential_is_reported_unavailable(
    resident, me, permit, live_server, policy
):
    _peer(f"{live_server.url}{reverse('api-permit-verify')}", "bad-token")
    with pytest.raises(transfers.PeerCityUnavailable):
        transfers.transfer_permit_in(
            actor=resident, person_id=me.pk, peer_code="330300", peer_permit_number=permit.number
        )
    assert not PermitTransfer.objects.exists()


def test_an_unknown_or_inactive_city_is_refused_with_every_problem(resident, me):
    _peer("http://127.0.0.1:9/", code="330400").__class__.objects.filter(code="330400").update(
        active=False
    )
    for code in ("999999", "330400"):
        with pytest.raises(InvalidInput) as error:
            transfers.transfer_permit_in(
                actor=resident, person_id=me.pk, peer_code=code, peer_permit_number=" "
            )
        assert set(error.value.fields) == {"peer", "number"}


def test_a_peer_that_does_not_answer_times_out_with_a_clear_message(settings, resident, me, policy):
    settings.PEER_VERIFY_TIMEOUT_SECONDS = 0.5
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        _peer(f"http://127.0.0.1:{silent.getsockname()[1]}/api/v1/permits/verify/")
        with pytest.raises(transfers.PeerCityUnavailable) as error:
            transfers.transfer_permit_in(
                actor=resident, person_id=me.pk, peer_code="330300", peer_permit_number="X1"
            )
    assert "温州市" in str(error.value.message)
    assert error.value.status_code == 503
    assert not PermitTransfer.objects.exists()


def test_a_peer_that_is_down_is_unavailable(resident, me, policy):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    _peer(f"http://127.0.0.1:{port}/api/v1/permits/verify/")
    with pytest.raises(transfers.PeerCityUnavailable):
        transfers.transfer_permit_in(
            actor=resident, person_id=me.pk, peer_code="330300", peer_permit_number="X1"
        )
    assert not PermitTransfer.objects.exists()


def test_recognised_months_count_toward_this_citys_permit(
    resident, other_resident, address_a, policy
):
    newcomer = make_person(resident, seq=61, name="周强")
    register(resident, newcomer, address_a, start=months_ago(2))
    assert "registration" in selectors.permit_eligibility_problems(newcomer)

    PermitTransfer.objects.create(
        person=newcomer,
        peer=_peer("http://127.0.0.1:9/"),
        peer_permit_number="330300202600001",
        peer_valid_until=months_ago(-3),
        months_recognised=policy.months_recognised,
        actor=resident,
        recognised_at=dt.datetime.now(dt.UTC),
    )
    assert selectors.permit_eligibility_problems(newcomer) == {}

    policy.months_recognised = 3
    policy.save()
    PermitTransfer.objects.update(months_recognised=3)
    assert "registration" in selectors.permit_eligibility_problems(newcomer)


def test_the_transfer_page_shows_a_down_peer_and_writes_nothing(
    settings, client, resident, me, policy
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    _peer(f"http://127.0.0.1:{port}/x/")
    client.force_login(resident)
    assert client.get(reverse("residents:permit_transfer")).status_code == 200
    response = client.post(
        reverse("residents:permit_transfer"),
        {"person": me.pk, "peer": "330300", "number": "X1"},
    )
    assert response.status_code == 503
    assert "温州市" in response.content.decode()
    assert not PermitTransfer.objects.exists()
