"""Every write of the housing app: rental homes, tenancies, affordable-housing rounds,
applications and offers.

Split by use case; the functions are re-exported here so callers write `services.declare_tenant`.
"""

from housing.services.applications import (
    accept_housing_application,
    approve_housing_application,
    create_housing_application,
    create_round,
    reject_housing_application,
    return_housing_application,
    submit_housing_application,
    update_housing_application,
    withdraw_housing_application,
)
from housing.services.homes import (
    accept_rental_home,
    approve_rental_home,
    check_occupancy,
    create_rental_home,
    flag_overcrowded_homes,
    reject_rental_home,
    return_rental_home,
    submit_rental_home,
    withdraw_rental_home,
)
from housing.services.offers import (
    accept_offer,
    allocate_round,
    answer_ranking_objection,
    decline_offer,
    execute_allocation,
    lapse_offers,
    notify_offers,
    raise_ranking_objection,
    rank_round,
    resume_allocation,
    start_allocation,
)
from housing.services.tenancies import confirm_tenancy, declare_tenant, end_tenancy

__all__ = [
    "accept_housing_application",
    "accept_offer",
    "accept_rental_home",
    "allocate_round",
    "answer_ranking_objection",
    "approve_housing_application",
    "approve_rental_home",
    "check_occupancy",
    "confirm_tenancy",
    "create_housing_application",
    "create_rental_home",
    "create_round",
    "declare_tenant",
    "decline_offer",
    "end_tenancy",
    "execute_allocation",
    "flag_overcrowded_homes",
    "lapse_offers",
    "notify_offers",
    "raise_ranking_objection",
    "rank_round",
    "reject_housing_application",
    "reject_rental_home",
    "resume_allocation",
    "return_housing_application",
    "return_rental_home",
    "start_allocation",
    "submit_housing_application",
    "submit_rental_home",
    "update_housing_application",
    "withdraw_housing_application",
    "withdraw_rental_home",
]
