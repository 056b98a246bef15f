"""Every write of the schooling app: rounds and the draw, applications and preferences, offers.

Split by use case; the functions are re-exported here so callers write `services.accept_offer`.
"""

from schooling.services.applications import (
    KIND,
    accept_application,
    add_material,
    approve_application,
    create_application,
    reject_application,
    remove_material,
    return_application,
    save_preferences,
    submit_application,
    update_application,
    withdraw_application,
)
from schooling.services.draw import (
    close_round,
    commit_lottery_seed,
    execute_first_round,
    resume_draw,
    run_first_round,
    run_second_round,
    start_first_round,
)
from schooling.services.offers import accept_offer, decline_offer, expire_offers
from schooling.services.rounds import open_round, send_round_results

__all__ = [
    "KIND",
    "accept_application",
    "accept_offer",
    "add_material",
    "approve_application",
    "close_round",
    "commit_lottery_seed",
    "create_application",
    "decline_offer",
    "execute_first_round",
    "expire_offers",
    "open_round",
    "reject_application",
    "remove_material",
    "resume_draw",
    "return_application",
    "run_first_round",
    "run_second_round",
    "save_preferences",
    "send_round_results",
    "start_first_round",
    "submit_application",
    "update_application",
    "withdraw_application",
]
