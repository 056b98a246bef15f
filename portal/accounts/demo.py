"""The demo accounts of every role, all with the published demo password.

Accounts are found by username. Roles, department and scopes are brought back to the demo's
on every run; the password is set only when the account is created, so a password changed
by an operator stays changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import Department, DepartmentCode, Role, User
from portal.areas.models import Area
from portal.demo import DEMO_PASSWORD, SeedContext


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    roles: tuple[str, ...]
    description: Any  # lazy translatable string
    phone: str = ""
    department: str | None = None
    districts: str = ""  # "" none, "first" the first district, "all" every district
    officer_grids: int = 0  # the first N grids of the first district
    superuser: bool = False


ACCOUNTS = (
    DemoAccount(
        "resident1",
        "李明",
        (Role.RESIDENT,),
        gettext_lazy("resident, registered two years ago, employed, with a six-year-old child"),
        phone="+8613957700001",
    ),
    DemoAccount(
        "resident2",
        "王芳",
        (Role.RESIDENT,),
        gettext_lazy("resident who arrived two months ago"),
        phone="+8613957700002",
    ),
    DemoAccount(
        "landlord1",
        "陈建国",
        (Role.LANDLORD, Role.RESIDENT),
        gettext_lazy("landlord who lets flats"),
        phone="+8613957700003",
    ),
    DemoAccount(
        "officer1",
        "张伟",
        (Role.GRID_OFFICER,),
        gettext_lazy("grid officer of the first two grids of the first district"),
        officer_grids=2,
    ),
    DemoAccount(
        "police1",
        "刘洋",
        (Role.REVIEWER,),
        gettext_lazy("public security reviewer of the first district"),
        department=DepartmentCode.PUBLIC_SECURITY,
        districts="first",
    ),
    DemoAccount(
        "housing1",
        "赵静",
        (Role.REVIEWER,),
        gettext_lazy("housing reviewer of every district"),
        department=DepartmentCode.HOUSING,
        districts="all",
    ),
    DemoAccount(
        "education1",
        "孙丽",
        (Role.REVIEWER,),
        gettext_lazy("education reviewer of every district"),
        department=DepartmentCode.EDUCATION,
        districts="all",
    ),
    DemoAccount(
        "points1",
        "周强",
        (Role.REVIEWER,),
        gettext_lazy("human resources reviewer of every district (verifies points claims)"),
        department=DepartmentCode.HUMAN_RESOURCES,
        districts="all",
    ),
    DemoAccount(
        "analyst1",
        "吴敏",
        (Role.ANALYST,),
        gettext_lazy("analyst (statistics, map, projection)"),
    ),
    DemoAccount(
        "analyst2",
        "郑磊",
        (Role.ANALYST,),
        gettext_lazy("analyst of the first district"),
        districts="first",
    ),
    DemoAccount(
        "leader1",
        "孙华",
        (Role.LEADER,),
        gettext_lazy("leader of the first district (reads the figures only)"),
        districts="first",
    ),
    DemoAccount(
        "admin",
        "管理员",
        (Role.ADMINISTRATOR,),
        gettext_lazy("administrator (superuser, admin site)"),
        superuser=True,
    ),
)


def put_account(
    account: DemoAccount, *, districts: list[Area], first_grids: list[Area]
) -> tuple[User, bool]:
    """Create the account or bring its roles and scopes back to the demo's."""
    department = Department.objects.get(code=account.department) if account.department else None
    user, created = User.objects.update_or_create(
        username=account.username,
        defaults={
            "first_name": account.name,
            "roles": list(account.roles),
            "phone": account.phone,
            "phone_verified": bool(account.phone),
            "department": department,
            "is_staff": account.superuser,
            "is_superuser": account.superuser,
            "is_active": True,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    scope = {"": [], "first": districts[:1], "all": districts}[account.districts]
    user.districts.set(scope)
    user.grids.set(first_grids[: account.officer_grids])
    return user, created


@transaction.atomic
def seed(ctx: SeedContext) -> None:
    districts = ctx.made["districts"]
    first_grids = [grid for grid in ctx.made["grids"] if grid.district_id == districts[0].pk]
    users: dict[str, User] = {}
    created_count = 0
    for account in ACCOUNTS:
        users[account.username], created = put_account(
            account, districts=districts, first_grids=first_grids
        )
        created_count += created
    ctx.made["users"] = users
    ctx.made["logins"] = [(account.username, account.description) for account in ACCOUNTS]
    ctx.write(
        _("Demo accounts: %(count)d (%(created)d new).")
        % {"count": len(ACCOUNTS), "created": created_count}
    )
