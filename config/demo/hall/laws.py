"""The laws and regulations the demo matters cite (names in Chinese and English).

Article numbers are given by each matter. Where the demo could not be sure of the exact article,
it cites the law's general article on the matter and docs/design.md ("Demo hall catalogue") says
so; check before relying on any citation.
"""

from __future__ import annotations

from types import MappingProxyType

from .model import Json, T

_LAWS = {
    "market_reg": ("《中华人民共和国市场主体登记管理条例》",
                   "Regulations of the PRC on the Administration of the Registration of Market Entities"),
    "individual_biz": ("《促进个体工商户发展条例》",
                       "Regulations on Promoting the Development of Individual Businesses"),
    "company_law": ("《中华人民共和国公司法》", "Company Law of the PRC"),
    "food_safety": ("《中华人民共和国食品安全法》", "Food Safety Law of the PRC"),
    "drug_admin": ("《中华人民共和国药品管理法》", "Drug Administration Law of the PRC"),
    "med_device": ("《医疗器械监督管理条例》",
                   "Regulations on the Supervision and Administration of Medical Devices"),
    "special_equipment": ("《中华人民共和国特种设备安全法》", "Special Equipment Safety Law of the PRC"),
    "admin_licensing": ("《中华人民共和国行政许可法》", "Administrative Licensing Law of the PRC"),
    "social_insurance": ("《中华人民共和国社会保险法》", "Social Insurance Law of the PRC"),
    "unemployment_ins": ("《失业保险条例》", "Regulations on Unemployment Insurance"),
    "employment_promo": ("《中华人民共和国就业促进法》", "Employment Promotion Law of the PRC"),
    "hr_market": ("《人力资源市场暂行条例》", "Interim Regulations on the Human Resources Market"),
    "labour_arbitration": ("《中华人民共和国劳动争议调解仲裁法》",
                           "Law of the PRC on Mediation and Arbitration of Labour Disputes"),
    "hpf": ("《住房公积金管理条例》", "Regulations on the Administration of the Housing Provident Fund"),
    "re_reg": ("《不动产登记暂行条例》", "Interim Regulations on Real Estate Registration"),
    "civil_code": ("《中华人民共和国民法典》", "Civil Code of the PRC"),
    "urban_planning": ("《中华人民共和国城乡规划法》", "Urban and Rural Planning Law of the PRC"),
    "hukou": ("《中华人民共和国户口登记条例》", "Regulations of the PRC on Household Registration"),
    "residence_permit": ("《居住证暂行条例》", "Interim Regulations on Residence Permits"),
    "id_card_law": ("《中华人民共和国居民身份证法》", "Resident Identity Card Law of the PRC"),
    "passport_law": ("《中华人民共和国护照法》", "Passport Law of the PRC"),
    "tax_admin": ("《中华人民共和国税收征收管理法》",
                  "Law of the PRC on the Administration of Tax Collection"),
    "invoice": ("《中华人民共和国发票管理办法》", "Measures of the PRC for the Administration of Invoices"),
    "iit": ("《中华人民共和国个人所得税法》", "Individual Income Tax Law of the PRC"),
    "deed_tax": ("《中华人民共和国契税法》", "Deed Tax Law of the PRC"),
    "social_assistance": ("《社会救助暂行办法》", "Interim Measures for Social Assistance"),
    "disabled_law": ("《中华人民共和国残疾人保障法》",
                     "Law of the PRC on the Protection of Persons with Disabilities"),
    "social_org": ("《社会团体登记管理条例》",
                   "Regulations on the Registration and Administration of Social Organisations"),
    "elderly_law": ("《中华人民共和国老年人权益保障法》",
                    "Law of the PRC on the Protection of the Rights and Interests of Older People"),
    "urban_re": ("《中华人民共和国城市房地产管理法》", "Law of the PRC on Urban Real Estate Administration"),
    "construction_law": ("《中华人民共和国建筑法》", "Construction Law of the PRC"),
    "public_rental": ("《公共租赁住房管理办法》", "Measures for the Administration of Public Rental Housing"),
    "fire_law": ("《中华人民共和国消防法》", "Fire Protection Law of the PRC"),
    "road_transport": ("《中华人民共和国道路运输条例》", "Regulations of the PRC on Road Transport"),
    "ride_hailing": ("《网络预约出租汽车经营服务管理暂行办法》",
                     "Interim Measures for the Administration of Online Car-Hailing Services"),
    "entertainment": ("《娱乐场所管理条例》", "Regulations on the Administration of Entertainment Venues"),
    "travel_agency": ("《旅行社条例》", "Regulations on Travel Agencies"),
    "performance": ("《营业性演出管理条例》",
                    "Regulations on the Administration of Commercial Performances"),
    "physician": ("《中华人民共和国医师法》", "Physicians Law of the PRC"),
    "nurse": ("《护士条例》", "Regulations on Nurses"),
    "public_places": ("《公共场所卫生管理条例》",
                      "Regulations on the Hygiene Administration of Public Places"),
    "medical_inst": ("《医疗机构管理条例》", "Regulations on the Administration of Medical Institutions"),
    "teachers_law": ("《中华人民共和国教师法》", "Teachers Law of the PRC"),
    "teacher_qual": ("《教师资格条例》", "Regulations on Teacher Qualifications"),
    "veterans_law": ("《中华人民共和国退役军人保障法》", "Law of the PRC on the Protection of Veterans"),
    "veterans_resettle": ("《退役士兵安置条例》", "Regulations on the Resettlement of Discharged Soldiers"),
    "business_env": ("《优化营商环境条例》", "Regulations on Optimising the Business Environment"),
    "investment": ("《企业投资项目核准和备案管理条例》",
                   "Regulations on the Approval and Filing of Enterprise Investment Projects"),
    "eia": ("《中华人民共和国环境影响评价法》", "Environmental Impact Assessment Law of the PRC"),
    "gas": ("《城镇燃气管理条例》", "Regulations on the Administration of Urban Gas"),
    "med_fund": ("《医疗保障基金使用监督管理条例》",
                 "Regulations on the Supervision of the Use of Medical Security Funds"),
}
LAWS = MappingProxyType(_LAWS)


def basis(*cites: tuple[str, str]) -> list[Json]:
    """``legal_basis`` entries from ``(law key, article)`` pairs."""
    out: list[Json] = []
    for key, article in cites:
        zh, en = LAWS[key]
        out.append({"law": T(zh, en), "article": article})
    return out
