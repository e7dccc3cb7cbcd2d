"""Demo matters of the public utilities desk (水电气): water, electricity and gas companies."""

from __future__ import annotations

from . import model as m
from .model import Json, T, fld, qa, step
from .site import matter

_WHO = ("水电气综合窗口", "Utilities desk")
_LAW = [("business_env", "第二十五条"), ("civil_code", "第六百五十六条")]
_POWER_LAW = [("business_env", "第二十五条"), ("civil_code", "第六百四十八条")]


def _transfer(seq: int, body: str, zh: str, en: str, aliases: list[str], account_zh: str, account_en: str,
              faq: list[Json], law: list[tuple[str, str]]) -> Json:
    return matter(
        dept="UTIL", body=body, seq=seq, kind="public_service",
        name=T(f"{zh}过户", f"Transferring the {en} account"),
        law=law,
        category=["utilities", "housing"],
        aliases=aliases,
        conditions=[T("房屋产权已转移或承租人经产权人同意，结清原户号的费用",
                      "The property changed hands (or the owner agrees for a tenant) and the old account is paid up")],
        materials=[m.application(f"{zh}过户申请表", f"{en.capitalize()} account transfer form"), m.id_card(),
                   m.property_certificate(),
                   m.mat("old_bill", "原户号最近一期缴费凭证", "Latest bill of the old account", required=False)],
        procedure=[m.apply_step(), step("过户：核对户号和欠费情况，当场办理", "Account and arrears checked; "
                                        "transferred on the spot", *_WHO)],
        mode="immediate", statutory=0, promised=0, visits=0,
        faq=faq,
        form=m.form(m.person(fld("account_no", account_zh, account_en, max_len=30),
                             fld("property_address", "用户地址", "Address", max_len=120),
                             fld("old_holder", "原户主", "Previous account holder", max_len=50))),
    )


def matters() -> list[Json]:
    return [
        _transfer(1, "water", "居民用水", "household water", ["水过户", "自来水过户", "水表过户", "改户名"],
                  "用水户号", "Water account number",
                  [qa("原户主欠水费怎么办？", "What if the old owner owes water bills?",
                      "请买卖双方结清欠费后办理，也可以在交易时约定由卖方结清。",
                      "Settle it first, or agree in the sale that the seller pays."),
                   qa("可以和房屋过户一起办吗？", "Can it go with the property transfer?",
                      "可以，在不动产登记时勾选“水电气联动过户”即可。", "Yes, tick the utilities box at registration.")],
                  _LAW),
        _transfer(2, "power", "居民用电", "household electricity", ["电过户", "电表过户", "电费户名", "更名"],
                  "用电户号", "Electricity account number",
                  [qa("过户要停电吗？", "Is power cut during the transfer?", "不需要停电。", "No."),
                   qa("网上能办吗？", "Online?", "可以通过“网上国网”App办理。", "Yes, in the State Grid app.")],
                  _POWER_LAW),
        _transfer(3, "gas", "管道燃气", "piped gas", ["燃气过户", "天然气过户", "煤气过户"], "燃气户号",
                  "Gas account number",
                  [qa("过户后需要安检吗？", "Is a safety check needed?", "过户后燃气公司将预约上门安全检查。",
                      "The gas company will book a home safety check."),
                   qa("IC卡表怎么办？", "What about a prepaid card meter?", "窗口可同步更换用户卡信息。",
                      "The desk updates the card.")],
                  [("gas", "第十七条"), *_LAW]),
        matter(
            dept="UTIL", body="power", seq=4, kind="public_service",
            name=T("水电气联动过户（不动产登记后）", "Transferring water, power and gas together after a property transfer"),
            law=_LAW,
            category=["utilities", "real_estate", "life_events"],
            aliases=["水电气过户", "联动过户", "一起过户", "水电气一件事"],
            conditions=[T("已申请或完成不动产转移登记，水电气原户号无欠费",
                          "The property transfer is filed or done and no utility bills are owed")],
            materials=[m.application("水电气联动过户申请表", "Joint utilities transfer form"), m.id_card(),
                       m.property_certificate()],
            procedure=[m.apply_step(), m.accept_step(),
                       step("联动：不动产登记信息推送至供水、供电、供气企业同步过户",
                            "Registration data sent to the water, power and gas companies", *_WHO),
                       step("办结：短信通知新户号", "Done: new account numbers sent by text", *_WHO, counts=False)],
            mode="joint", joint=("NRP",), statutory=3, promised=1, visits=0,
            faq=[qa("需要分别去三家企业吗？", "Must I visit three companies?", "不需要，一次申请全部办结。",
                    "No, one application does it all."),
                 qa("有线电视、宽带能一起过户吗？", "Cable TV and broadband too?",
                    "目前支持水电气，其他业务请您联系相应企业。", "Not yet; contact those companies.")],
            form=m.form(m.person(fld("property_address", "房屋坐落", "Property address", max_len=120),
                                 fld("certificate_no", "不动产权证书号", "Title certificate number", max_len=40),
                                 m.yes_no("water", "供水", "Water"), m.yes_no("power", "供电", "Electricity"),
                                 m.yes_no("gas", "燃气", "Gas"))),
        ),
        matter(
            dept="UTIL", body="power", seq=5, kind="public_service",
            name=T("低压非居民用电报装", "New low-voltage business electricity connection"),
            law=[("business_env", "第二十五条"), ("civil_code", "第六百四十八条")],
            category=["utilities", "business_startup"],
            aliases=["用电报装", "新装电表", "接电", "办电", "获得电力"],
            conditions=[T("小微企业等低压非居民用户，有合法用电地址", "A small business needing low-voltage supply at a lawful address")],
            materials=[m.application("用电报装申请表", "Electricity connection application"), m.business_licence(),
                       m.mat("premises_proof", "用电地址权属证明或租赁合同", "Proof of the premises or lease")],
            procedure=[m.apply_step(), m.accept_step(),
                       step("勘查：现场勘查并答复供电方案", "Site survey and supply plan", "供电公司", "Power company"),
                       step("装表接电：投资界面延伸到用户红线，装表送电", "Meter fitted and power on", "供电公司",
                            "Power company")],
            mode="promised", statutory=15, promised=3, visits=0,
            faq=[qa("小微企业接电要花钱吗？", "Does it cost a small business anything?",
                    "低压小微企业用电报装实行“三零”服务：零上门、零审批、零投资。",
                    "No: 'three zeros' - no visit, no approval, no investment."),
                 qa("多久能通电？", "How soon is power on?", "无外线工程的一般3个工作日内装表接电。",
                    "Usually within 3 working days without external works.")],
            form=m.form(m.company(fld("site_address", "用电地址", "Supply address", max_len=120),
                                  fld("capacity_kw", "申请容量（千瓦）", "Capacity (kW)", "digits", minimum=1, maximum=160))),
        ),
        matter(
            dept="UTIL", body="gas", seq=6, kind="public_service",
            name=T("管道燃气报装（非居民）", "New piped gas connection (business)"),
            law=[("gas", "第十七条"), ("business_env", "第二十五条")],
            category=["utilities", "business_startup"],
            aliases=["燃气报装", "天然气开户", "通气", "燃气开户"],
            conditions=[T("用气场所在管道燃气覆盖范围内，符合燃气安全使用条件", "Premises on the gas network and safe for gas")],
            materials=[m.application("燃气报装申请表", "Gas connection application"), m.business_licence(),
                       m.mat("premises_proof", "用气场所权属证明或租赁合同", "Proof of the premises or lease")],
            procedure=[m.apply_step(), m.accept_step(),
                       step("勘查设计：现场勘查，出具报装方案", "Survey and connection plan", "燃气公司", "Gas company"),
                       step("施工通气：安装计量表具，验收后通气", "Meter fitted, inspected, gas on", "燃气公司", "Gas company")],
            mode="promised", statutory=15, promised=5,
            faq=[qa("餐饮店用气有什么要求？", "What must a restaurant do?",
                    "应安装燃气泄漏报警和自动切断装置，并使用合格的燃气器具。",
                    "Fit a leak alarm with automatic shut-off and use approved appliances."),
                 qa("费用怎么收？", "What are the charges?", "按我市核定的价格标准收取，窗口公示。",
                    "As the city sets, shown at the desk.")],
            form=m.form(m.company(fld("site_address", "用气地址", "Supply address", max_len=120),
                                  fld("use", "用气性质", "Use", "choice",
                                      choices=[("catering", "餐饮", "Catering"), ("industry", "工业", "Industry"),
                                               ("heating", "采暖", "Heating")]))),
        ),
    ]
