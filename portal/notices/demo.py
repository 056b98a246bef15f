"""The notices' part of the demo city: a few published policies, so resident1 has an inbox.

- Vocational training courses (人社局) for residents aged 18 to 45 in the first district, also
  sent by SMS.
- A rent subsidy granted without application (免申直享, 住建局) to residents with at least
  twelve months of continuous registration, aged 18 to 60.
- The residence-permit endorsement reminder (公安局) for permits falling due within 60 days:
  published once some demo permit falls due (it stays a draft while none does).

Policies are found by title and department, so a rerun adds nothing; each published one is
pushed at once (a repeat push adds nothing either).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.demo import SeedContext
from portal.notices import services
from portal.notices.models import Policy, PolicyStatus


@dataclass(frozen=True)
class DemoPolicy:
    department: str
    title: str
    title_en: str
    body: str
    body_en: str
    target: list[dict[str, Any]]
    link: str = ""
    channels: tuple[str, ...] = ()
    grant_name: str = ""
    grant_name_en: str = ""
    grant_amount: Decimal | None = None


def demo_policies(first_district_id: int) -> list[DemoPolicy]:
    return [
        DemoPolicy(
            department="human_resources",
            title="新居民职业技能提升免费培训报名",
            title_en="Free vocational skills training for new residents",
            body=(
                "本季度开设电工、焊工、育婴员、电子商务运营等免费培训班，每班40人，"
                "结业考核合格可取得职业技能等级证书，并按规定享受培训补贴。\n"
                "报名时间：即日起至本季度末。报名地点：各街道新居民服务站或线上报名。"
            ),
            body_en=(
                "Free courses this quarter: electrician, welder, childcare and e-commerce "
                "operations, 40 places each. Those who pass receive a vocational skill "
                "certificate and the training subsidy.\nSign up at any subdistrict new-resident "
                "service station or online until the end of the quarter."
            ),
            target=[
                {"criterion": "residents.age", "params": {"min_age": 18, "max_age": 45}},
                {"criterion": "residents.district", "params": {"districts": [first_district_id]}},
            ],
            channels=("sms",),
        ),
        DemoPolicy(
            department="housing",
            title="新居民租房补贴（免申即享）",
            title_en="Rent subsidy for new residents (granted without applying)",
            body=(
                "在本市连续居住登记满12个月、年龄18至60周岁的新居民，可享受一次性租房补贴。"
                "补贴由系统根据居住登记信息自动核定发放，无需提交申请材料。"
                "如有疑问，请拨打12345政务服务热线。"
            ),
            body_en=(
                "New residents aged 18 to 60 who have been registered in the city for twelve "
                "months without a break receive a one-off rent subsidy. It is worked out from "
                "the residence registration and granted automatically: there is nothing to fill "
                "in. Questions: call the 12345 government service hotline."
            ),
            target=[
                {"criterion": "residents.residence_months", "params": {"months": 12}},
                {"criterion": "residents.age", "params": {"min_age": 18, "max_age": 60}},
            ],
            grant_name="一次性租房补贴",
            grant_name_en="One-off rent subsidy",
            grant_amount=Decimal("1200.00"),
        ),
        DemoPolicy(
            department="public_security",
            title="居住证签注提醒",
            title_en="Residence permit endorsement reminder",
            body=(
                "您的居住证将在60日内到期签注。请在有效期满前一个月内办理签注，"
                "逾期签注的，连续居住年限自签注之日起重新计算。"
            ),
            body_en=(
                "Your residence permit falls due for endorsement within 60 days. Endorse it in "
                "the month before it falls due: after a late endorsement, continuous residence "
                "counts again from the day of endorsement."
            ),
            target=[{"criterion": "residents.permit_expiring", "params": {"days": 60}}],
            link="/permit/mine/",
            channels=("sms",),
        ),
    ]


def seed(ctx: SeedContext) -> None:
    admin = ctx.made["users"]["admin"]
    first_district = ctx.made["districts"][0]
    today = timezone.localdate()
    published = 0
    for demo in demo_policies(first_district.pk):
        policy = Policy.objects.filter(title=demo.title, department__code=demo.department).first()
        if policy is None:
            policy = services.create_policy(
                actor=admin,
                data=services.PolicyInput(
                    title=demo.title,
                    title_en=demo.title_en,
                    body=demo.body,
                    body_en=demo.body_en,
                    department=demo.department,
                    starts_on=today - dt.timedelta(days=7),
                    ends_on=today + dt.timedelta(days=90),
                    link=demo.link,
                    channels=demo.channels,
                    target=demo.target,
                    grant_name=demo.grant_name,
                    grant_name_en=demo.grant_name_en,
                    grant_amount=demo.grant_amount,
                ),
            )
        if policy.status == PolicyStatus.DRAFT:
            if services.count_audience(target=policy.target) == 0:
                continue
            policy = services.publish_policy(actor=admin, policy_id=policy.pk, queue_push=False)
        if policy.status == PolicyStatus.PUBLISHED:
            services.push_policy(policy_id=policy.pk)
            published += 1
    ctx.write(_("Policies: %(count)d published and pushed.") % {"count": published})
