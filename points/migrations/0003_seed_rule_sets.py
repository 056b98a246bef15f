"""The Shanghai 2015 and Zhongshan 2014 points tables (docs/domain.md "Points systems"), as
published rule-set versions. The specs below are the rules themselves; points/engine.py gives them meaning.

Readings where the summary is terse:
- Shanghai outer suburb: 2 per full year of work and residence, counted only once 5 years are
  reached (5 years give 10), at most 20.
- Shanghai tax or local hires: 10 per 100,000 yuan of average yearly tax and 10 per 10 local
  hires, together at most 120.
- Shanghai honours: the highest honour only, at most 110.
- Zhongshan residence: 5 per full year of continuous residence (registration, a gap of up to
  3 months still continuous, a late endorsement restarts it), at most 50.
- Zhongshan: the 30% bonus outside the central districts applies to every service's total.
- Zhongshan patents: counted when granted within the last 5 years.
- Rankings are open to objections for 5 working days (public rental housing: 20).
"""

from django.db import migrations

SHANGHAI_2015 = {
    "scheme": "shanghai",
    "scheme_name": "上海市居住证积分",
    "scheme_name_en": "Shanghai residence permit points",
    "version": 1,
    "name": "上海市居住证积分指标体系（2015）",
    "name_en": "Shanghai residence permit points table (2015)",
    "effective_from": "2015-01-01",
    "effective_until": None,
    "score_validity_months": 12,
    "source": "上海市居住证积分管理办法及积分指标体系（2015年）；积分在每次签注时确认，居住证注销即失效。",
    "entry": [
        {"fact": "has_permit", "op": "true", "label": "持有有效居住证", "label_en": "Holds a valid residence permit"},
    ],
    "families": [
        {"code": "age", "label": "年龄", "label_en": "Age", "part": "base", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 10},
        {"code": "education", "label": "教育背景", "label_en": "Education", "part": "base", "combine": "highest", "cap": 110, "exclusive_group": "education_or_title", "subscore": "", "order": 20},
        {"code": "skill", "label": "专业技术职称和技能等级", "label_en": "Title or skill level", "part": "base", "combine": "highest", "cap": 140, "exclusive_group": "education_or_title", "subscore": "", "order": 30},
        {"code": "social_insurance", "label": "社会保险", "label_en": "Social insurance", "part": "base", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 40},
        {"code": "talent", "label": "人才与创业", "label_en": "Talent and start-ups", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 50},
        {"code": "tax", "label": "纳税或带动就业", "label_en": "Tax paid or local jobs created", "part": "bonus", "combine": "sum", "cap": 120, "exclusive_group": "", "subscore": "", "order": 60},
        {"code": "insurance_base", "label": "社保缴费基数", "label_en": "Insurance contribution base", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 70},
        {"code": "graduate", "label": "应届毕业生", "label_en": "Fresh graduates", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 80},
        {"code": "honours", "label": "表彰奖励", "label_en": "Honours", "part": "bonus", "combine": "highest", "cap": 110, "exclusive_group": "", "subscore": "", "order": 90},
        {"code": "family", "label": "配偶", "label_en": "Family", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 100},
        {"code": "area_steering", "label": "远郊重点区域", "label_en": "Area steering", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 110},
        {"code": "deductions", "label": "减分与一票否决", "label_en": "Deductions and vetoes", "part": "deduction", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 120},
    ],
    "indicators": [
        {"code": "age", "family": "age", "label": "年龄（56-60周岁5分，每年轻1岁加2分）", "label_en": "Age (56-60: 5, plus 2 per year younger)", "fact": "birth_date", "kind": "age_scale", "params": {"min_age": 16, "max_age": 60, "flat_from": 56, "base": 5, "step": 2}, "cap": 30, "lookback_years": None},
        {"code": "education", "family": "education", "label": "学历学位", "label_en": "Education and degree", "fact": "education", "kind": "tiered", "params": {"tiers": [
            {"level": "junior_college", "points": 50},
            {"level": "bachelor", "points": 60},
            {"level": "bachelor_degree", "points": 90},
            {"level": "master", "points": 100},
            {"level": "doctor", "points": 110},
        ]}, "cap": None, "lookback_years": None},
        {"code": "skill", "family": "skill", "label": "职业资格或职称", "label_en": "Vocational level or title", "fact": "skill", "kind": "tiered", "params": {"tiers": [
            {"level": "vocational_5", "points": 15},
            {"level": "vocational_4", "points": 30},
            {"level": "vocational_3", "points": 60},
            {"level": "vocational_2", "points": 100},
            {"level": "title_intermediate", "points": 100},
            {"level": "vocational_1", "points": 140},
            {"level": "title_senior", "points": 140},
        ]}, "cap": None, "lookback_years": None},
        {"code": "insurance", "family": "social_insurance", "label": "社保每满1年3分（补缴不计）", "label_en": "3 per full year of insurance (make-up excluded)", "fact": "insurance_years", "kind": "rate", "params": {"per": 1, "points": 3}, "cap": None, "lookback_years": None},
        {"code": "startup_talent", "family": "talent", "label": "创业人才", "label_en": "Start-up talent", "fact": "startup_talent", "kind": "fixed", "params": {"points": 120}, "cap": None, "lookback_years": None},
        {"code": "shortage_major", "family": "talent", "label": "紧缺急需专业对口就业", "label_en": "Shortage major matching the job", "fact": "shortage_major", "kind": "fixed", "params": {"points": 30}, "cap": None, "lookback_years": None},
        {"code": "business_tax", "family": "tax", "label": "年均纳税每10万元10分", "label_en": "10 per 100,000 yuan of average yearly tax", "fact": "business_tax_avg", "kind": "rate", "params": {"per": 100000, "points": 10}, "cap": None, "lookback_years": None},
        {"code": "local_hires", "family": "tax", "label": "聘用本市户籍人员每10人10分", "label_en": "10 per 10 local hires", "fact": "local_hires", "kind": "rate", "params": {"per": 10, "points": 10}, "cap": None, "lookback_years": None},
        {"code": "insurance_base", "family": "insurance_base", "label": "近48个月中36个月缴费基数达平均工资0.8/1/2倍", "label_en": "Base at 0.8x/1x/2x the average wage for 36 of 48 months", "fact": "insurance_base_ratio", "kind": "tiered", "params": {"tiers": [
            {"min": 0.8, "points": 25},
            {"min": 1, "points": 50},
            {"min": 2, "points": 100},
        ]}, "cap": None, "lookback_years": None},
        {"code": "fresh_graduate", "family": "graduate", "label": "应届全日制高校毕业生", "label_en": "Fresh full-time graduate", "fact": "fresh_graduate", "kind": "fixed", "params": {"points": 10}, "cap": None, "lookback_years": None},
        {"code": "honours", "family": "honours", "label": "市级专项/市级综合/省部级表彰", "label_en": "Municipal special / comprehensive / provincial honours", "fact": "honour_level", "kind": "tiered", "params": {"tiers": [
            {"level": "municipal_special", "points": 30},
            {"level": "municipal_comprehensive", "points": 60},
            {"level": "provincial", "points": 110},
        ]}, "cap": None, "lookback_years": None},
        {"code": "spouse_local", "family": "family", "label": "配偶为本市户籍，每满1年4分", "label_en": "Spouse with local hukou: 4 per year of marriage", "fact": "spouse_local_marriage_years", "kind": "rate", "params": {"per": 1, "points": 4}, "cap": 40, "lookback_years": None},
        {"code": "outer_suburb", "family": "area_steering", "label": "远郊工作居住，满5年后每年2分", "label_en": "Outer suburb: 2 per year once 5 years are reached", "fact": "outer_suburb_years", "kind": "rate", "params": {"per": 1, "points": 2, "min_quantity": 5}, "cap": 20, "lookback_years": None},
        {"code": "false_materials", "family": "deductions", "label": "提供虚假材料，每次减150分（3年内）", "label_en": "False materials: -150 each (3 years)", "fact": "false_materials", "kind": "rate", "params": {"per": 1, "points": -150}, "cap": None, "lookback_years": 3},
        {"code": "detention", "family": "deductions", "label": "行政拘留，每次减50分（5年内）", "label_en": "Administrative detention: -50 each (5 years)", "fact": "detentions", "kind": "rate", "params": {"per": 1, "points": -50}, "cap": None, "lookback_years": 5},
        {"code": "criminal", "family": "deductions", "label": "刑事犯罪，每次减150分（5年内）", "label_en": "Criminal record: -150 each (5 years)", "fact": "criminal_penalties", "kind": "rate", "params": {"per": 1, "points": -150}, "cap": None, "lookback_years": 5},
        {"code": "serious_crime", "family": "deductions", "label": "严重刑事犯罪，一票否决", "label_en": "Serious crime: veto", "fact": "serious_crime", "kind": "veto", "params": {}, "cap": None, "lookback_years": None},
    ],
    "multipliers": [],
    "services": [
        {"service": "standard", "parts": ["base", "bonus", "deduction"], "threshold": 120, "apply_vetoes": True, "apply_multiplier": True, "requirements": [], "tie_break": [], "objection_working_days": 5},
    ],
}

ZHONGSHAN_2014 = {
    "scheme": "zhongshan",
    "scheme_name": "中山市流动人口积分制管理",
    "scheme_name_en": "Zhongshan migrant points scheme",
    "version": 1,
    "name": "中山市流动人员积分制管理（2014）",
    "name_en": "Zhongshan migrant points table (2014)",
    "effective_from": "2014-01-01",
    "effective_until": None,
    "score_validity_months": 12,
    "source": "中山市流动人员积分制管理规定及积分指标（2014年）；入学不计减分，公租房与落户计减分。",
    "entry": [
        {"fact": "has_permit", "op": "true", "label": "持有广东省居住证", "label_en": "Holds a provincial residence permit"},
        {"fact": "work_years_city", "op": "gte", "value": 1, "label": "在本市工作满1年", "label_en": "Has worked in the city for at least 1 year"},
    ],
    "families": [
        {"code": "education", "label": "文化程度", "label_en": "Education", "part": "base", "combine": "highest", "cap": None, "exclusive_group": "", "subscore": "quality", "order": 10},
        {"code": "skill", "label": "技术能力", "label_en": "Skill or title", "part": "base", "combine": "highest", "cap": None, "exclusive_group": "", "subscore": "quality", "order": 20},
        {"code": "social_insurance", "label": "参加社会保险", "label_en": "Social insurance", "part": "base", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "insurance", "order": 30},
        {"code": "housing", "label": "住房情况", "label_en": "Housing", "part": "base", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 40},
        {"code": "residence", "label": "居住情况", "label_en": "Residence", "part": "base", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "residence", "order": 50},
        {"code": "age", "label": "年龄", "label_en": "Age", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 60},
        {"code": "family", "label": "婚姻状况", "label_en": "Family", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 70},
        {"code": "talent", "label": "急需人才", "label_en": "Urgently needed talent", "part": "bonus", "combine": "highest", "cap": None, "exclusive_group": "", "subscore": "", "order": 80},
        {"code": "innovation", "label": "发明创造", "label_en": "Patents", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 90},
        {"code": "honours", "label": "表彰奖励", "label_en": "Honours", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 100},
        {"code": "social_contribution", "label": "社会贡献", "label_en": "Social contribution", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 110},
        {"code": "tax", "label": "纳税与公积金", "label_en": "Tax and housing fund", "part": "bonus", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 120},
        {"code": "deductions", "label": "减分指标", "label_en": "Deductions", "part": "deduction", "combine": "sum", "cap": None, "exclusive_group": "", "subscore": "", "order": 130},
    ],
    "indicators": [
        {"code": "education", "family": "education", "label": "文化程度（取最高）", "label_en": "Education (highest only)", "fact": "education", "kind": "tiered", "params": {"tiers": [
            {"level": "junior_middle", "points": 20},
            {"level": "senior_middle", "points": 30},
            {"level": "technical_secondary", "points": 30},
            {"level": "junior_college", "points": 60},
            {"level": "bachelor", "points": 80},
            {"level": "bachelor_degree", "points": 80},
            {"level": "master", "points": 80},
            {"level": "doctor", "points": 80},
        ]}, "cap": None, "lookback_years": None},
        {"code": "skill", "family": "skill", "label": "职业资格或职称（取最高）", "label_en": "Qualification or title (highest only)", "fact": "skill", "kind": "tiered", "params": {"tiers": [
            {"level": "vocational_5", "points": 20},
            {"level": "vocational_4", "points": 40},
            {"level": "vocational_3", "points": 70},
            {"level": "title_junior", "points": 70},
            {"level": "vocational_2", "points": 90},
            {"level": "title_intermediate", "points": 90},
            {"level": "vocational_1", "points": 110},
            {"level": "title_senior", "points": 110},
        ]}, "cap": None, "lookback_years": None},
        {"code": "insurance_province", "family": "social_insurance", "label": "省内参保每险种每年1.5分", "label_en": "1.5 per insurance type per year in the province", "fact": "insurance_type_years_province", "kind": "rate", "params": {"per": 1, "points": 1.5}, "cap": 75, "lookback_years": None},
        {"code": "insurance_city", "family": "social_insurance", "label": "本市参保每险种每年加0.5分", "label_en": "Plus 0.5 per insurance type per year in the city", "fact": "insurance_type_years_city", "kind": "rate", "params": {"per": 1, "points": 0.5}, "cap": 25, "lookback_years": None},
        {"code": "owns_home", "family": "housing", "label": "拥有符合面积标准的自有住房", "label_en": "Owns a home meeting the area standard", "fact": "owns_home", "kind": "fixed", "params": {"points": 100}, "cap": None, "lookback_years": None},
        {"code": "residence", "family": "residence", "label": "持居住证每满1年5分（断档不超过3个月视为连续）", "label_en": "5 per full year of residence (gaps up to 3 months continuous)", "fact": "residence_periods", "kind": "rate", "params": {"per": 12, "points": 5, "gap_months": 3, "restart_fact": "residence_restart"}, "cap": 50, "lookback_years": None},
        {"code": "age", "family": "age", "label": "18-35周岁", "label_en": "Aged 18-35", "fact": "birth_date", "kind": "age_scale", "params": {"min_age": 18, "max_age": 35, "flat_from": 18, "base": 5, "step": 0}, "cap": None, "lookback_years": None},
        {"code": "unmarried", "family": "family", "label": "未婚", "label_en": "Unmarried", "fact": "unmarried", "kind": "fixed", "params": {"points": 15}, "cap": None, "lookback_years": None},
        {"code": "urgent_talent", "family": "talent", "label": "市/镇区急需人才", "label_en": "Urgently needed talent (city / town)", "fact": "urgent_talent", "kind": "tiered", "params": {"tiers": [
            {"level": "town", "points": 20},
            {"level": "city", "points": 50},
        ]}, "cap": None, "lookback_years": None},
        {"code": "patent_invention", "family": "innovation", "label": "5年内发明专利每项30分", "label_en": "Invention patents in 5 years: 30 each", "fact": "patents_invention", "kind": "rate", "params": {"per": 1, "points": 30}, "cap": None, "lookback_years": 5},
        {"code": "patent_utility", "family": "innovation", "label": "5年内实用新型或外观设计专利每项10分", "label_en": "Utility or design patents in 5 years: 10 each", "fact": "patents_utility", "kind": "rate", "params": {"per": 1, "points": 10}, "cap": None, "lookback_years": 5},
        {"code": "honours_county", "family": "honours", "label": "县级表彰每次30分，最高60分", "label_en": "County honours: 30 each, at most 60", "fact": "honours_county", "kind": "rate", "params": {"per": 1, "points": 30}, "cap": 60, "lookback_years": None},
        {"code": "honours_prefecture", "family": "honours", "label": "地市级及以上表彰每次60分，最高120分", "label_en": "Prefecture or higher honours: 60 each, at most 120", "fact": "honours_prefecture", "kind": "rate", "params": {"per": 1, "points": 60}, "cap": 120, "lookback_years": None},
        {"code": "volunteering", "family": "social_contribution", "label": "志愿服务每50小时2分，最高10分", "label_en": "Volunteering: 2 per 50 hours, at most 10", "fact": "volunteer_hours", "kind": "rate", "params": {"per": 50, "points": 2}, "cap": 10, "lookback_years": None},
        {"code": "donation", "family": "social_contribution", "label": "慈善捐款每1000元2分，最高10分", "label_en": "Donations: 2 per 1,000 yuan, at most 10", "fact": "donation_yuan", "kind": "rate", "params": {"per": 1000, "points": 2}, "cap": 10, "lookback_years": None},
        {"code": "blood_donation", "family": "social_contribution", "label": "无偿献血每200毫升2分，最高10分", "label_en": "Blood donation: 2 per 200 cc, at most 10", "fact": "blood_donation_cc", "kind": "rate", "params": {"per": 200, "points": 2}, "cap": 10, "lookback_years": None},
        {"code": "crime_reports", "family": "social_contribution", "label": "举报经核实每次0.3分，最高20分", "label_en": "Verified reports: 0.3 each, at most 20", "fact": "crime_reports", "kind": "rate", "params": {"per": 1, "points": 0.3}, "cap": 20, "lookback_years": None},
        {"code": "community_education", "family": "social_contribution", "label": "社区教育结业证书每份4分，最高20分", "label_en": "Community education certificates: 4 each, at most 20", "fact": "community_education_certs", "kind": "rate", "params": {"per": 1, "points": 4}, "cap": 20, "lookback_years": None},
        {"code": "income_tax", "family": "tax", "label": "近5年个人所得税每1000元1分", "label_en": "Income tax in 5 years: 1 per 1,000 yuan", "fact": "income_tax_5y", "kind": "rate", "params": {"per": 1000, "points": 1}, "cap": None, "lookback_years": None},
        {"code": "housing_fund", "family": "tax", "label": "住房公积金每月0.1分，最高12分", "label_en": "Housing fund: 0.1 per month, at most 12", "fact": "housing_fund_months", "kind": "rate", "params": {"per": 1, "points": 0.1}, "cap": 12, "lookback_years": None},
        {"code": "criminal", "family": "deductions", "label": "5年内受刑事处罚每次减100分", "label_en": "Criminal penalty in 5 years: -100 each", "fact": "criminal_penalties", "kind": "rate", "params": {"per": 1, "points": -100}, "cap": None, "lookback_years": 5},
        {"code": "detention", "family": "deductions", "label": "3年内行政拘留每次减10分", "label_en": "Administrative detention in 3 years: -10 each", "fact": "detentions", "kind": "rate", "params": {"per": 1, "points": -10}, "cap": None, "lookback_years": 3},
    ],
    "multipliers": [
        {"zone": "outer", "factor": 1.3, "label": "五个中心城区以外总分加30%", "label_en": "Outside the five central districts: total +30%"},
    ],
    "services": [
        {"service": "school", "parts": ["base", "bonus"], "threshold": 30, "apply_vetoes": True, "apply_multiplier": True, "requirements": [], "tie_break": ["quality", "insurance", "residence"], "objection_working_days": 5},
        {"service": "housing", "parts": ["base", "bonus", "deduction"], "threshold": 30, "apply_vetoes": True, "apply_multiplier": True, "requirements": [
            {"fact": "owns_home", "op": "false", "label": "本市无自有住房", "label_en": "Owns no home in the city"},
            {"fact": "insured_locally_last_month", "op": "true", "label": "上月在本市参保", "label_en": "Insured in the city last month"},
        ], "tie_break": ["quality", "insurance", "residence"], "objection_working_days": 20},
        {"service": "hukou", "parts": ["base", "bonus", "deduction"], "threshold": 60, "apply_vetoes": True, "apply_multiplier": True, "requirements": [], "tie_break": ["quality", "insurance", "residence"], "objection_working_days": 5},
    ],
}

RULE_SETS = [SHANGHAI_2015, ZHONGSHAN_2014]


def load_rule_set(apps, spec, *, published_at):
    """Write one spec as a published rule set (idempotent: an existing version is left alone)."""
    Scheme = apps.get_model("points", "Scheme")
    RuleSet = apps.get_model("points", "RuleSet")
    Family = apps.get_model("points", "Family")
    Indicator = apps.get_model("points", "Indicator")
    AreaMultiplier = apps.get_model("points", "AreaMultiplier")
    ServiceRule = apps.get_model("points", "ServiceRule")
    scheme, _ = Scheme.objects.get_or_create(
        code=spec["scheme"],
        defaults={"name": spec["scheme_name"], "name_en": spec["scheme_name_en"]},
    )
    if RuleSet.objects.filter(scheme=scheme, version=spec["version"]).exists():
        return
    rule_set = RuleSet.objects.create(
        scheme=scheme,
        version=spec["version"],
        name=spec["name"],
        name_en=spec["name_en"],
        status="published",
        effective_from=spec["effective_from"],
        effective_until=spec["effective_until"],
        score_validity_months=spec["score_validity_months"],
        entry_requirements=spec["entry"],
        source=spec["source"],
        published_at=published_at,
    )
    families = {}
    for fam in spec["families"]:
        families[fam["code"]] = Family.objects.create(rule_set=rule_set, **fam)
    for order, ind in enumerate(spec["indicators"]):
        fields = {k: v for k, v in ind.items() if k not in ("family", "fact")}
        Indicator.objects.create(
            rule_set=rule_set,
            family=families[ind["family"]],
            fact_id=ind["fact"],
            order=10 * (order + 1),
            **fields,
        )
    for multiplier in spec["multipliers"]:
        AreaMultiplier.objects.create(rule_set=rule_set, **multiplier)
    for service in spec["services"]:
        ServiceRule.objects.create(rule_set=rule_set, **service)


def create_rule_sets(apps, schema_editor):
    from django.utils import timezone

    for spec in RULE_SETS:
        load_rule_set(apps, spec, published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("points", "0002_fact_types")]

    operations = [migrations.RunPython(create_rule_sets, migrations.RunPython.noop)]
