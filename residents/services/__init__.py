"""Every write of the residents app: persons, residence registration, permit applications, permits,
grid officers' visits and field tasks.

Split by use case; the functions are re-exported here so callers write `services.register_residence`.
"""

from residents.services.field import (
    Arrival,
    Departure,
    VisitInput,
    raise_field_task,
    record_visit,
    record_visits,
)
from residents.services.materials import add_material, remove_material
from residents.services.permits import (
    accept_permit_application,
    approve_permit_application,
    cancel_permits_of,
    create_permit_application,
    endorse_permit,
    issue_permit,
    reissue_permit,
    reject_permit_application,
    return_permit_application,
    submit_permit_application,
    update_permit_application,
    withdraw_permit_application,
)
from residents.services.persons import (
    add_dependant,
    check_declared_person,
    create_own_person,
    create_person_in_field,
    declared_person,
    open_person_record,
    search_by_id_number,
    update_person,
)
from residents.services.registrations import (
    end_declared_residence,
    end_registration,
    record_declared_residence,
    register_residence,
    verify_registration_start,
)

__all__ = [
    "Arrival",
    "Departure",
    "VisitInput",
    "accept_permit_application",
    "add_dependant",
    "add_material",
    "approve_permit_application",
    "cancel_permits_of",
    "check_declared_person",
    "create_own_person",
    "create_permit_application",
    "create_person_in_field",
    "declared_person",
    "end_declared_residence",
    "end_registration",
    "endorse_permit",
    "issue_permit",
    "open_person_record",
    "raise_field_task",
    "record_declared_residence",
    "record_visit",
    "record_visits",
    "register_residence",
    "reissue_permit",
    "reject_permit_application",
    "remove_material",
    "return_permit_application",
    "search_by_id_number",
    "submit_permit_application",
    "update_permit_application",
    "update_person",
    "verify_registration_start",
    "withdraw_permit_application",
]
