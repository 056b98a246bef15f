"""The catalogue of facts the seed rule sets read, and who verifies each
(docs/domain.md "Verification map").

Departments the portal does not have as reviewers (civil affairs, science, health, tax, the
youth league) are routed to the new-resident service centre, which coordinates them; the
housing fund centre's facts go to housing.
"""

from django.db import migrations

EDUCATION_LEVELS = [
    {"code": "junior_middle", "label": "初中", "label_en": "Junior middle school"},
    {"code": "senior_middle", "label": "高中", "label_en": "Senior middle school"},
    {"code": "technical_secondary", "label": "中专、技校", "label_en": "Technical secondary school"},
    {"code": "junior_college", "label": "大专", "label_en": "Junior college"},
    {"code": "bachelor", "label": "本科（无学位）", "label_en": "Bachelor (no degree)"},
    {"code": "bachelor_degree", "label": "本科及学士学位", "label_en": "Bachelor with degree"},
    {"code": "master", "label": "硕士研究生", "label_en": "Master"},
    {"code": "doctor", "label": "博士研究生", "label_en": "Doctor"},
]
SKILL_LEVELS = [
    {"code": "vocational_5", "label": "初级工（五级）", "label_en": "Junior worker (level 5)"},
    {"code": "vocational_4", "label": "中级工（四级）", "label_en": "Intermediate worker (level 4)"},
    {"code": "vocational_3", "label": "高级工（三级）", "label_en": "Senior worker (level 3)"},
    {"code": "vocational_2", "label": "技师（二级）", "label_en": "Technician (level 2)"},
    {"code": "vocational_1", "label": "高级技师（一级）", "label_en": "Senior technician (level 1)"},
    {"code": "title_junior", "label": "初级职称", "label_en": "Junior professional title"},
    {"code": "title_intermediate", "label": "中级职称", "label_en": "Intermediate professional title"},
    {"code": "title_senior", "label": "高级职称", "label_en": "Senior professional title"},
]
HONOUR_LEVELS = [
    {"code": "municipal_special", "label": "市级专项荣誉", "label_en": "Municipal special honour"},
    {"code": "municipal_comprehensive", "label": "市级综合荣誉", "label_en": "Municipal comprehensive honour"},
    {"code": "provincial", "label": "省部级及以上荣誉", "label_en": "Provincial or national honour"},
]
TALENT_LEVELS = [
    {"code": "town", "label": "镇区急需人才", "label_en": "Urgently needed by a town"},
    {"code": "city", "label": "市急需人才", "label_en": "Urgently needed by the city"},
]

# (code, label, label_en, value type, source, department, unit, unit_en, levels, evidence, evidence_en, mandatory)
FACT_TYPES = [
    ("birth_date", "出生日期", "Birth date", "date", "registry", "", "", "", [], "", "", False),
    ("residence_periods", "居住登记期间", "Residence registration periods", "periods", "registry", "", "", "", [], "", "", False),
    ("residence_restart", "居住时间重新起算日", "Residence clock restarted on", "date", "registry", "", "", "", [], "", "", False),
    ("has_permit", "持有有效居住证", "Holds a valid residence permit", "flag", "registry", "", "", "", [], "", "", False),
    ("zone", "所在区域", "Zone of residence", "level", "registry", "", "", "", [], "", "", False),
    ("education", "学历", "Education", "level", "claim", "education", "", "", EDUCATION_LEVELS, "毕业证书、学位证书", "Diploma and degree certificate", False),
    ("fresh_graduate", "应届高校毕业生", "Fresh full-time graduate", "flag", "claim", "education", "", "", [], "毕业证书、就业报到证", "Diploma and employment registration", False),
    ("skill", "职业资格或专业技术职称", "Vocational qualification or professional title", "level", "claim", "human_resources", "", "", SKILL_LEVELS, "职业资格证书或职称证书", "Qualification or title certificate", False),
    ("insurance_years", "本市社会保险缴费年限", "Years of social insurance in the city", "number", "claim", "human_resources", "年", "years", [], "社保缴费记录（不含补缴）", "Contribution record (make-up payments excluded)", False),
    ("insurance_base_ratio", "社保缴费基数与本市平均工资之比", "Insurance base to city average wage", "number", "claim", "human_resources", "倍", "times", [], "近48个月中36个月的缴费基数记录", "Contribution base for 36 of the last 48 months", False),
    ("insurance_type_years_province", "省内参保险种年数", "Insurance type-years in the province", "number", "claim", "human_resources", "险种·年", "type-years", [], "社保参保证明", "Insurance certificate", False),
    ("insurance_type_years_city", "本市参保险种年数", "Insurance type-years in the city", "number", "claim", "human_resources", "险种·年", "type-years", [], "社保参保证明", "Insurance certificate", False),
    ("insured_locally_last_month", "上月在本市参保", "Insured in the city last month", "flag", "claim", "human_resources", "", "", [], "社保参保证明", "Insurance certificate", False),
    ("work_years_city", "在本市工作年限", "Years of work in the city", "number", "claim", "human_resources", "年", "years", [], "劳动合同、社保记录", "Employment contract, insurance record", False),
    ("startup_talent", "创业人才", "Start-up talent", "flag", "claim", "human_resources", "", "", [], "创业人才认定文件", "Start-up talent certification", False),
    ("shortage_major", "紧缺急需专业对口就业", "Shortage major matching the job", "flag", "claim", "human_resources", "", "", [], "学历证书、劳动合同", "Diploma and employment contract", False),
    ("urgent_talent", "急需人才", "Urgently needed talent", "level", "claim", "human_resources", "", "", TALENT_LEVELS, "急需人才认定文件", "Talent certification", False),
    ("business_tax_avg", "企业年均纳税额", "Average yearly tax of the business", "number", "claim", "service_centre", "元", "yuan", [], "近三年纳税证明", "Tax certificates of the last three years", False),
    ("local_hires", "聘用本市户籍人数", "Local residents employed", "number", "claim", "human_resources", "人", "persons", [], "用工备案记录", "Employment filings", False),
    ("honour_level", "表彰奖励", "Honours", "level", "claim", "human_resources", "", "", HONOUR_LEVELS, "表彰文件、证书", "Award documents", False),
    ("honours_county", "县（区）级表彰", "County honours", "events", "claim", "service_centre", "次", "times", [], "表彰文件、证书", "Award documents", False),
    ("honours_prefecture", "地市级及以上表彰", "Prefecture or higher honours", "events", "claim", "service_centre", "次", "times", [], "表彰文件、证书", "Award documents", False),
    ("spouse_local_marriage_years", "与本市户籍人员结婚年限", "Years married to a local resident", "number", "claim", "service_centre", "年", "years", [], "结婚证、配偶户口簿", "Marriage certificate, spouse's hukou book", False),
    ("outer_suburb_years", "在远郊重点区域工作居住年限", "Years working and living in an outer suburb", "number", "claim", "service_centre", "年", "years", [], "劳动合同、居住证明", "Employment contract, proof of residence", False),
    ("owns_home", "拥有符合标准的自有住房", "Owns a home meeting the area standard", "flag", "claim", "housing", "", "", [], "不动产权证书", "Property certificate", False),
    ("unmarried", "未婚", "Unmarried", "flag", "claim", "service_centre", "", "", [], "婚姻状况证明", "Marital status certificate", False),
    ("patents_invention", "发明专利（授权日期）", "Invention patents (grant dates)", "events", "claim", "service_centre", "项", "patents", [], "专利证书", "Patent certificates", False),
    ("patents_utility", "实用新型或外观设计专利（授权日期）", "Utility or design patents (grant dates)", "events", "claim", "service_centre", "项", "patents", [], "专利证书", "Patent certificates", False),
    ("volunteer_hours", "志愿服务时长", "Hours of volunteering", "number", "claim", "service_centre", "小时", "hours", [], "志愿服务记录", "Volunteering record", False),
    ("donation_yuan", "慈善捐款", "Charitable donations", "number", "claim", "service_centre", "元", "yuan", [], "捐款票据", "Donation receipts", False),
    ("blood_donation_cc", "无偿献血量", "Blood donated", "number", "claim", "service_centre", "毫升", "cc", [], "献血证", "Blood donation certificates", False),
    ("crime_reports", "经核实的隐患或违法犯罪举报", "Verified hazard or crime reports", "number", "claim", "public_security", "次", "reports", [], "举报核实证明", "Confirmation of reports", False),
    ("income_tax_5y", "近5年个人所得税", "Personal income tax in the last 5 years", "number", "claim", "service_centre", "元", "yuan", [], "完税证明", "Tax payment certificates", False),
    ("housing_fund_months", "住房公积金缴存月数", "Months of housing fund contributions", "number", "claim", "housing", "月", "months", [], "公积金缴存证明", "Housing fund statement", False),
    ("community_education_certs", "社区教育结业证书", "Community education certificates", "number", "registry", "", "份", "certificates", [], "", "", False),
    ("false_materials", "提供虚假材料记录（日期）", "Records of false materials (dates)", "events", "claim", "service_centre", "次", "times", [], "", "", False),
    ("detentions", "行政拘留记录（日期）", "Administrative detentions (dates)", "events", "claim", "public_security", "次", "times", [], "无违法犯罪记录证明", "Certificate of no criminal record", True),
    ("criminal_penalties", "刑事处罚记录（日期）", "Criminal penalties (dates)", "events", "claim", "public_security", "次", "times", [], "无违法犯罪记录证明", "Certificate of no criminal record", True),
    ("serious_crime", "严重刑事犯罪记录", "Serious crime record", "flag", "claim", "public_security", "", "", [], "无违法犯罪记录证明", "Certificate of no criminal record", True),
]


def create_fact_types(apps, schema_editor):
    FactType = apps.get_model("points", "FactType")
    for order, row in enumerate(FACT_TYPES):
        (code, label, label_en, value_type, source, department, unit, unit_en, levels,
         evidence, evidence_en, mandatory) = row
        FactType.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "label_en": label_en,
                "value_type": value_type,
                "source": source,
                "department": department,
                "unit": unit,
                "unit_en": unit_en,
                "levels": levels,
                "evidence_hint": evidence,
                "evidence_hint_en": evidence_en,
                "mandatory": mandatory,
                "order": 10 * (order + 1),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [migrations.RunPython(create_fact_types, migrations.RunPython.noop)]
