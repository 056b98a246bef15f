"""The service list of the demo city (新居民基本公共服务清单), in Chinese with English.

The portal's own services link to their pages; the others (health, employment, legal aid,
culture, childcare) are described with the office, hours and phone, and linked. Found by code,
so a rerun updates the rows and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.catalogue.models import LifeEvent, Service, ServiceVersion
from portal.demo import SeedContext

IN_FORCE_FROM = dt.date(2026, 1, 1)
CENTRE = ("市新居民服务中心", "City new-resident service centre")
CENTRE_ADDRESS = (
    "市民中心B座一楼综合窗口",
    "Citizen Centre, Block B, ground floor, general counter",
)
HOURS = ("工作日 9:00-12:00，13:30-17:30", "Working days 9:00-12:00, 13:30-17:30")

SERVICES: list[dict[str, Any]] = [
    {
        "code": "residence_registration",
        "name": ("居住登记", "Residence registration"),
        "event": LifeEvent.ARRIVING,
        "department": ("市公安局", "Public Security Bureau"),
        "kind": "",
        "keywords": "登记 落脚 报到 来了 申报 居住 住址 register arrive",
        "summary": (
            "来到本市居住后申报居住登记，是办理居住证和其他服务的基础。",
            "Declare where you live after you arrive; it is the basis of the other services.",
        ),
        "eligibility": (
            "离开常住户口所在地，在本市居住",
            "Living in the city away from your hukou",
        ),
        "materials": (
            "居民身份证\n住所证明（租赁合同或房产证）",
            "Identity card\nProof of address (lease or deed)",
        ),
        "steps": (
            "登录门户填写居住地址\n网格员上门核实\n登记生效，可在线查看",
            "Enter your address on the portal\nA grid officer visits to confirm\nThe registration takes effect and shows online",
        ),
        "time_limit": ("即时办结", "At once"),
        "legal_basis": "居住证暂行条例（国务院令第663号）第九条",
        "link": "/residence/",
        "phone": "0760-12345",
    },
    {
        "code": "residence_permit",
        "name": ("居住证办理", "Residence permit"),
        "event": LifeEvent.ARRIVING,
        "department": ("市公安局", "Public Security Bureau"),
        "kind": "residence_permit",
        "keywords": "居住证 暂住证 签注 证件 permit",
        "summary": (
            "居住满半年后申领居住证，每年签注一次，凭证享受教育、住房等公共服务。",
            "After half a year of registered residence, apply for a permit and have it endorsed yearly.",
        ),
        "steps": (
            "在线提交申请并上传照片和证明材料\n公安机关受理审核\n审核通过后领取居住证（可选邮寄）",
            "Apply online with a photo and proof\nPublic security reviews\nCollect the permit or have it posted",
        ),
        "time_limit": ("15个工作日", "15 working days"),
        "legal_basis": "居住证暂行条例（国务院令第663号）\n广东省流动人口服务管理条例",
        "link": "/permit/",
        "phone": "0760-88316110",
    },
    {
        "code": "tenancy_registration",
        "name": ("出租屋租赁登记", "Rental housing registration"),
        "event": LifeEvent.HOUSING,
        "department": ("市住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
        "kind": "rental_home",
        "keywords": "租房 出租 房东 租客 合同 备案 以房管人 租赁 rent tenancy landlord",
        "summary": (
            "房东登记出租房屋并申报租客入住、退租；租客可凭登记办理居住证。",
            "Landlords register a rental home and declare tenants moving in and out.",
        ),
        "eligibility": ("出租房屋的业主或受托管理人", "Owner or manager of a rented home"),
        "materials": (
            "房产证或购房合同\n出租人身份证\n租赁合同",
            "Deed or purchase contract\nLandlord's identity card\nLease",
        ),
        "steps": (
            "房东在线登记房屋\n住建部门审核\n申报租客入住，租客在线确认",
            "The landlord registers the home online\nHousing reviews\nDeclare tenants; they confirm online",
        ),
        "time_limit": ("5个工作日", "5 working days"),
        "legal_basis": "商品房屋租赁管理办法（住房和城乡建设部令第6号）",
        "link": "/homes/",
        "phone": "0760-88312345",
    },
    {
        "code": "affordable_housing",
        "name": ("保障性租赁住房申请", "Affordable rental housing"),
        "event": LifeEvent.HOUSING,
        "department": ("市住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
        "kind": "affordable_housing",
        "keywords": "租房 公租房 保障房 廉租 住房 房子 安居 轮候 housing rent",
        "summary": (
            "无房的新居民家庭按积分轮候申请保障性租赁住房。",
            "Households without a home apply for an affordable rental flat, ranked by points.",
        ),
        "steps": (
            "在开放轮次内在线申请\n住建部门审核\n按积分排序公示\n按序选房、签约",
            "Apply online in an open round\nHousing reviews\nThe ranking is published\nChoose a flat in rank order and sign",
        ),
        "time_limit": ("审核20个工作日", "Review within 20 working days"),
        "legal_basis": "国务院办公厅关于加快发展保障性租赁住房的意见（国办发〔2021〕22号）",
        "link": "/housing/affordable/",
        "phone": "0760-88312345",
    },
    {
        "code": "points",
        "name": ("积分制管理", "Points-based integration scoring"),
        "event": LifeEvent.POINTS,
        "department": CENTRE,
        "kind": "",
        "keywords": "积分 积分入学 积分入户 分数 评分 points score",
        "summary": (
            "按学历、技能、社保、居住年限等计分，积分用于入学、住房等公共服务。",
            "Points for education, skills, insurance and years of residence, used for school places and housing.",
        ),
        "steps": (
            "查看自动计算的积分\n申报学历、技能等需核实的项目并上传证明\n各部门核实后积分更新",
            "See the points computed from the registry\nClaim facts such as education with evidence\nDepartments verify; the score updates",
        ),
        "time_limit": ("核实10个工作日", "Verification within 10 working days"),
        "legal_basis": "中山市流动人员积分制管理规定",
        "link": "/points/",
        "phone": "0760-12345",
    },
    {
        "code": "school_place",
        "name": ("随迁子女入学", "School places for migrant children"),
        "event": LifeEvent.SCHOOL,
        "department": ("市教育和体育局", "Education and Sports Bureau"),
        "kind": "school_enrolment",
        "keywords": "上学 入学 读书 学位 小学 初中 孩子 子女 积分入学 school",
        "summary": (
            "随迁子女申请公办学校学位，按积分和志愿分配。",
            "Apply for a public school place for a child who moved with you; places follow points and choices.",
        ),
        "steps": (
            "在报名期内在线报名并上传材料\n填报学校志愿\n按积分分配学位并公布\n在期限内确认录取",
            "Apply online in the application period with the materials\nRank your schools\nPlaces are allocated by points and published\nAccept the offer in time",
        ),
        "time_limit": ("按年度招生日程", "By the yearly enrolment calendar"),
        "legal_basis": "义务教育法第十二条\n居住证暂行条例第十二条",
        "link": "/school/",
        "phone": "0760-88329000",
    },
    {
        "code": "childcare",
        "name": ("托育和学前教育", "Childcare and kindergarten"),
        "event": LifeEvent.SCHOOL,
        "department": (
            "市卫生健康局、市教育和体育局",
            "Health Commission; Education and Sports Bureau",
        ),
        "kind": "",
        "keywords": "托育 幼儿园 托儿所 入园 孩子 学前 childcare kindergarten",
        "summary": (
            "普惠性托育机构和幼儿园向新居民子女开放报名。",
            "Public childcare centres and kindergartens take new residents' children.",
        ),
        "eligibility": (
            "持有本市居住证的家庭的3岁以下或3-6岁儿童",
            "Children under 3 or aged 3-6 of families holding a residence permit",
        ),
        "materials": (
            "儿童出生证明\n预防接种证\n监护人居住证",
            "Birth certificate\nVaccination certificate\nGuardian's residence permit",
        ),
        "steps": (
            "向就近的托育机构或幼儿园报名\n现场确认材料",
            "Apply at a nearby centre or kindergarten\nShow the materials there",
        ),
        "time_limit": ("每年5月报名", "Applications in May each year"),
        "legal_basis": "国务院办公厅关于促进3岁以下婴幼儿照护服务发展的指导意见（国办发〔2019〕15号）",
        "link": "https://www.zs.gov.cn/",
        "phone": "0760-88329000",
    },
    {
        "code": "employment_services",
        "name": ("就业登记和求职服务", "Employment registration and job search"),
        "event": LifeEvent.WORKING,
        "department": ("市人力资源和社会保障局", "Human Resources and Social Security Bureau"),
        "kind": "",
        "keywords": "找工作 求职 就业 招聘 上班 工作 失业 job work",
        "summary": (
            "免费办理就业失业登记，提供岗位推荐、招聘会和创业指导。",
            "Free employment registration, job matching, job fairs and start-up advice.",
        ),
        "eligibility": ("在本市居住的劳动年龄人员", "Working-age people living in the city"),
        "materials": ("居民身份证", "Identity card"),
        "steps": (
            "到街道公共就业服务站登记\n获得岗位推荐",
            "Register at a subdistrict employment station\nReceive job offers",
        ),
        "time_limit": ("即时办结", "At once"),
        "legal_basis": "就业促进法第二十条",
        "link": "https://hrss.zs.gov.cn/",
        "phone": "12333",
    },
    {
        "code": "vocational_training",
        "name": ("职业技能培训和补贴", "Vocational training and subsidies"),
        "event": LifeEvent.WORKING,
        "department": ("市人力资源和社会保障局", "Human Resources and Social Security Bureau"),
        "kind": "",
        "keywords": "培训 技能 证书 补贴 学手艺 电工 training skills",
        "summary": (
            "免费参加电工、育婴员、电子商务等技能培训，合格者领取证书和补贴。",
            "Free courses such as electrician, childcare and e-commerce; those who pass get a certificate and a subsidy.",
        ),
        "eligibility": (
            "16至60岁在本市就业或求职的人员",
            "People aged 16 to 60 working or seeking work in the city",
        ),
        "materials": (
            "居民身份证\n银行卡（领取补贴）",
            "Identity card\nBank card (for the subsidy)",
        ),
        "steps": (
            "报名培训班\n参加培训和考核\n申领补贴",
            "Sign up for a course\nAttend and pass the test\nClaim the subsidy",
        ),
        "time_limit": ("补贴30个工作日内发放", "Subsidy paid within 30 working days"),
        "legal_basis": "职业技能提升行动方案（国办发〔2019〕24号）",
        "link": "https://hrss.zs.gov.cn/",
        "phone": "12333",
    },
    {
        "code": "social_insurance",
        "name": ("社会保险参保", "Social insurance"),
        "event": LifeEvent.WORKING,
        "department": ("市社会保险基金管理局", "Social Insurance Fund Administration"),
        "kind": "",
        "keywords": "社保 养老 医保 工伤 参保 缴费 insurance pension",
        "summary": (
            "由单位为职工办理养老、医疗、工伤、失业、生育保险；灵活就业人员可个人参保。",
            "Employers insure their staff; the self-employed may insure themselves.",
        ),
        "eligibility": (
            "在本市就业的职工或灵活就业人员",
            "Employees or self-employed people working in the city",
        ),
        "materials": ("居民身份证\n劳动合同（职工）", "Identity card\nLabour contract (employees)"),
        "steps": (
            "单位或个人在线申报参保\n按月缴费",
            "The employer or the person registers online\nContributions are paid monthly",
        ),
        "time_limit": ("即时办结", "At once"),
        "legal_basis": "社会保险法",
        "link": "https://www.gdzwfw.gov.cn/",
        "phone": "12333",
    },
    {
        "code": "health_records",
        "name": ("健康档案和家庭医生签约", "Health records and family doctor"),
        "event": LifeEvent.HEALTH,
        "department": ("市卫生健康局", "Health Commission"),
        "kind": "",
        "keywords": "看病 医生 健康 体检 家庭医生 社区卫生 health doctor",
        "summary": (
            "在社区卫生服务中心免费建立健康档案、签约家庭医生，享受基本公共卫生服务。",
            "Free health record and family doctor at the community health centre.",
        ),
        "eligibility": (
            "在本市居住半年以上的人员",
            "People living in the city for half a year or more",
        ),
        "materials": ("居民身份证或居住证", "Identity card or residence permit"),
        "steps": (
            "到就近的社区卫生服务中心办理\n签约家庭医生",
            "Go to the nearest community health centre\nSign up with a family doctor",
        ),
        "time_limit": ("即时办结", "At once"),
        "fees": ("免费", "Free"),
        "legal_basis": "基本医疗卫生与健康促进法第二十四条",
        "link": "https://wsjkj.zs.gov.cn/",
        "phone": "12320",
    },
    {
        "code": "maternal_child_health",
        "name": ("孕产妇和儿童保健、预防接种", "Maternal and child health, vaccination"),
        "event": LifeEvent.HEALTH,
        "department": ("市卫生健康局", "Health Commission"),
        "kind": "",
        "keywords": "怀孕 生孩子 疫苗 打针 接种 儿童保健 vaccination pregnancy",
        "summary": (
            "孕产妇免费产检建册，儿童免费接种国家免疫规划疫苗。",
            "Free pregnancy check-ups and free vaccines of the national programme for children.",
        ),
        "eligibility": (
            "在本市居住的孕产妇和0-6岁儿童",
            "Pregnant women and children aged 0-6 living in the city",
        ),
        "materials": (
            "居民身份证\n预防接种证（儿童）",
            "Identity card\nVaccination certificate (children)",
        ),
        "steps": (
            "到社区卫生服务中心建册或接种",
            "Register or vaccinate at the community health centre",
        ),
        "time_limit": ("即时办结", "At once"),
        "fees": ("免费", "Free"),
        "legal_basis": "疫苗管理法第四十七条\n母婴保健法",
        "link": "https://wsjkj.zs.gov.cn/",
        "phone": "12320",
    },
    {
        "code": "legal_aid",
        "name": ("法律援助", "Legal aid"),
        "event": LifeEvent.RIGHTS,
        "department": ("市司法局", "Justice Bureau"),
        "kind": "",
        "keywords": "欠薪 讨薪 工资 维权 律师 打官司 法律 legal wages",
        "summary": (
            "追索劳动报酬、工伤赔偿等事项可申请免费法律援助，农民工讨薪不审查经济困难条件。",
            "Free legal aid for unpaid wages, injury compensation and more; migrant workers claiming wages are not means-tested.",
        ),
        "eligibility": (
            "经济困难或追索劳动报酬的人员",
            "People with low income, or claiming unpaid wages",
        ),
        "materials": (
            "居民身份证\n与案件有关的材料（劳动合同、工资条等）",
            "Identity card\nMaterial on the case (contract, payslips...)",
        ),
        "steps": (
            "到法律援助中心或拨打12348申请\n审查后指派律师",
            "Apply at the legal aid centre or call 12348\nA lawyer is assigned",
        ),
        "time_limit": ("7日内作出决定", "Decision within 7 days"),
        "fees": ("免费", "Free"),
        "legal_basis": "法律援助法第三十二条",
        "link": "https://sfj.zs.gov.cn/",
        "phone": "12348",
    },
    {
        "code": "culture_services",
        "name": ("公共文化和体育服务", "Public culture and sports"),
        "event": LifeEvent.RIGHTS,
        "department": ("市文化广电旅游局", "Culture, Radio, Television and Tourism Bureau"),
        "kind": "",
        "keywords": "图书馆 借书 文化 体育 活动 博物馆 library culture",
        "summary": (
            "图书馆、文化馆、博物馆和公共体育场馆向新居民免费或低收费开放，凭居住证办理借阅证。",
            "Libraries, culture centres, museums and sports grounds open free or cheaply; a library card with the residence permit.",
        ),
        "eligibility": ("所有在本市居住的人员", "Everyone living in the city"),
        "materials": ("居住证或居民身份证", "Residence permit or identity card"),
        "steps": ("到图书馆或文化馆办理", "Go to a library or culture centre"),
        "time_limit": ("即时办结", "At once"),
        "fees": ("免费", "Free"),
        "legal_basis": "公共文化服务保障法第三十三条",
        "link": "https://www.zslib.com.cn/",
        "phone": "0760-88806800",
    },
]


def _pair(entry: dict[str, Any], key: str) -> tuple[str, str]:
    value = entry.get(key, ("", ""))
    return value if isinstance(value, tuple) else (value, "")


def seed(ctx: SeedContext) -> None:
    """Create or update every service of the list and its guide in force from 2026-01-01."""
    for order, entry in enumerate(SERVICES, start=1):
        name, name_en = entry["name"]
        department, department_en = entry["department"]
        service, _ = Service.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name": name,
                "name_en": name_en,
                "life_event": entry["event"],
                "department_name": department,
                "department_name_en": department_en,
                "kind": entry["kind"],
                "keywords": entry["keywords"],
                "order": order * 10,
            },
        )
        fields: dict[str, str] = {}
        for key in ("summary", "eligibility", "materials", "steps", "time_limit"):
            fields[key], fields[f"{key}_en"] = _pair(entry, key)
        fields["fees"], fields["fees_en"] = entry.get("fees", ("不收费", "No fee"))
        fields["office_address"], fields["office_address_en"] = CENTRE_ADDRESS
        fields["office_hours"], fields["office_hours_en"] = HOURS
        fields["legal_basis"] = entry["legal_basis"]
        fields["phone"] = entry["phone"]
        fields["online_link"] = entry["link"]
        ServiceVersion.objects.update_or_create(
            service=service, effective_from=IN_FORCE_FROM, defaults=fields
        )
    ctx.write(f"catalogue: {len(SERVICES)} services")
