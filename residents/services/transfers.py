"""A permit of another city of the province recognised here (全省居住证转换互认).

The resident names the city and the permit number; the portal asks that city's verification
API (residents.peer_cities) whether the permit is valid for the person's ID number, and only then
records the transfer, which counts toward this city's permit as the transfer policy allows.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.errors import (
    ApplicationError,
    InvalidInput,
    NotEligible,
    NotFound,
    TransitionNotAllowed,
)
from portal.notices.services import notify_after_commit
from residents import peer_cities, selectors
from residents.models import PermitTransfer


class PeerCityUnavailable(ApplicationError):
    status_code = 503
    default_code = "peer_unavailable"


def transfer_permit_in(
    *, actor: User, person_id: int, peer_code: str, peer_permit_number: str
) -> PermitTransfer:
    """Recognise a peer city's permit for a person of the actor's household.

    The peer is asked before anything is written, outside any transaction: a peer that is down
    or slow (PEER_VERIFY_TIMEOUT_SECONDS) leaves nothing behind and says so.
    """
    person = selectors.household_of(actor).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    number = peer_permit_number.strip()
    problems: dict[str, list[str]] = {}
    peer = selectors.active_peer_cities().filter(code=peer_code.strip()).first()
    if peer is None:
        problems["peer"] = [_("Choose a city of the province whose permits are recognised here.")]
    if not number:
        problems["number"] = [_("Enter the permit number printed on the other city's card.")]
    if problems:
        raise InvalidInput(_("Please correct the transfer details."), fields=problems)
    try:
        answer = peer_cities.verify_with_peer(peer, number=number, id_number=person.id_number)
    except peer_cities.PeerUnavailable:
        raise PeerCityUnavailable(
            _(
                "%(city)s's permit service did not answer. Nothing was recorded: please try again "
                "later."
            )
            % {"city": peer.name}
        ) from None
    if not answer.valid:
        raise NotEligible(
            _("%(city)s reports no valid permit with this number for %(name)s.")
            % {"city": peer.name, "name": person.name},
            fields={"number": [_("Check the number on the card.")]},
        )
    policy = selectors.transfer_policy_on(timezone.localdate())
    try:
        with transaction.atomic():
            transfer = PermitTransfer.objects.create(
                person=person,
                peer=peer,
                peer_permit_number=number,
                peer_valid_until=answer.valid_until or timezone.localdate(),
                months_recognised=policy.months_recognised,
                actor=actor,
                recognised_at=timezone.now(),
            )
            notify_after_commit(
                actor,
                lambda: (
                    _("Permit of %(city)s recognised") % {"city": peer.name},
                    _("It counts as %(months)s months of residence toward this city's permit.")
                    % {"months": transfer.months_recognised},
                ),
            )
    except IntegrityError:
        raise TransitionNotAllowed(_("This permit has already been recognised here.")) from None
    return transfer
