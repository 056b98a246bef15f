"""Every write of the employment app: employers, worker declarations and lists, dormitories,
job postings and applications, training wishes, courses, enrolments and certificates.

Split by use case; the functions are re-exported here so callers write `services.enrol`.
"""

from employment.services.dormitories import (
    add_dormitory,
    check_occupancy,
    flag_overcrowded_dormitories,
)
from employment.services.employers import (
    approve_employer,
    register_employer,
    reject_employer,
    resubmit_employer,
    return_employer,
    withdraw_employer,
)
from employment.services.postings import (
    apply_for_job,
    approve_posting,
    close_posting,
    create_posting,
    push_posting,
    reject_posting,
    save_profile,
)
from employment.services.training import (
    add_wish,
    cancel_enrolment,
    complete_enrolment,
    enrol,
    publish_course,
    record_attendance,
    remove_wish,
)
from employment.services.uploads import upload_worker_list
from employment.services.workers import declare_worker_end, declare_worker_start

__all__ = [
    "add_dormitory",
    "add_wish",
    "apply_for_job",
    "approve_employer",
    "approve_posting",
    "cancel_enrolment",
    "check_occupancy",
    "close_posting",
    "complete_enrolment",
    "create_posting",
    "declare_worker_end",
    "declare_worker_start",
    "enrol",
    "flag_overcrowded_dormitories",
    "publish_course",
    "push_posting",
    "record_attendance",
    "register_employer",
    "reject_employer",
    "reject_posting",
    "remove_wish",
    "resubmit_employer",
    "return_employer",
    "save_profile",
    "upload_worker_list",
    "withdraw_employer",
]
