"""What officers type in Chinese, resolved to the ledger's codes: party kinds, clause ids, basis
keys and choice words (aliases from the clause text), parameter names, report names, import
columns and actions.

Pure lookups: every alias resolves to exactly one code, and the stored command only ever holds
the code, so `--kind 企业` and `--kind enterprise` are the same request.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from domain.kinds import KINDS

# party kinds: the labels the ledger prints (KINDS) and the other words offices use
KIND_ALIASES: dict[str, str] = {label: code for code, label in KINDS.items()} | {
    "大学": "university",
    "高等院校": "university",
    "院所": "institute",
    "科研机构": "institute",
    "研究院": "institute",
    "科技服务机构": "service_org",
    "基金管理公司": "fund_manager",
    "贷款银行": "bank",
    "融资租赁公司": "leasing",
    "保险公司": "insurer",
    "自然人": "person",
}

# basis keys: the clause text's words for each rule input (docs/rules.md lists the keys)
BASIS_LABELS: dict[str, str] = {
    "合同技术交易额": "contract_value",
    "技术合同交易额": "contract_value",
    "合同编号": "contract",
    "技术合同": "contract",
    "登记编号": "contract",
    "登记日期": "registered_on",
    "认定登记日期": "registered_on",
    "合同相对方": "counterparty",
    "已缴租金": "rent_paid",
    "租金": "rent_paid",
    "租用面积": "area",
    "面积": "area",
    "场地类型": "space",
    "租金年度": "year",
    "考核年度": "year",
    "年度": "year",
    "融资年度": "year",
    "项目": "project",
    "技术交易额": "deal_value",
    "技术交易合同": "deal",
    "支持比例": "rate",
    "补贴比例": "rate",
    "奖励比例": "rate",
    "平台": "platform",
    "认定级别": "level",
    "级别": "level",
    "研究院": "institute",
    "年产值": "output_value",
    "人员": "person",
    "人才": "person",
    "人才类别": "title",
    "工作站类型": "station",
    "学历": "degree",
    "缴纳社保": "social_insurance",
    "劳动合同年限": "contract_years",
    "培训费": "fee",
    "地方经济贡献": "contribution",
    "基金": "fund",
    "年度融资总额": "financing_total",
    "评级审计费用": "fees",
    "保费": "premium",
    "本金损失": "loss",
    "损失": "loss",
    "省级比例": "province_rate",
    "省财政比例": "province_rate",
    "市级比例": "city_rate",
    "市财政比例": "city_rate",
    "上年国拨经费": "national_allocation",
    "上年实际国拨经费": "national_allocation",
    "上年省拨经费": "provincial_allocation",
    "上年实际省拨经费": "provincial_allocation",
    "绩效": "performance",
    "非财政研发投入": "rd_investment",
    "考核结果": "rating",
    "评价结果": "rating",
    "创新券面值": "vouchers",
    "专利号": "patent",
    "专利": "patent",
    "奖项": "prize",
    "年度考核": "assessment",
    "挂牌融资": "financing",
    "民营企业": "private",
    "高科技领军企业": "leading_enterprise",
    "工作站": "workstation",
    "培训证书": "certificate",
    "自费": "self_paid",
    "山西省颁发证书": "shanxi_certificate",
    "保单号": "policy",
    "保单": "policy",
    "创新券编号": "voucher",
    "孵化器": "incubator",
    "众创空间": "makerspace",
    "分担金额": "share",
    "认定日期": "recognised_on",
    "备案日期": "recognised_on",
    "首次认定": "first_recognition",
    "新认定": "first_recognition",
    "绩效评价": "evaluation",
    "研发经费支出": "rd_spending",
    "研发经费实际支出": "rd_spending",
    "建设期起": "period_from",
    "建设期止": "period_to",
    "支出年度": "spent_year",
}

# choice and yes/no words of the basis
BASIS_WORDS: dict[str, str] = {
    "厂房": "factory",
    "办公空间": "office",
    "办公用房": "office",
    "国家级": "national",
    "省级": "provincial",
    "市级": "municipal",
    "两院院士": "academician",
    "国家级科技领军人才": "national_leader",
    "院士工作站": "academician",
    "博士工作站": "doctoral",
    "博士": "doctorate",
    "硕士研究生": "master",
    "硕士": "master",
    "是": "yes",
    "否": "no",
    "正常": "normal",
    "不正常": "poor",
    "优秀": "excellent",
    "良好": "good",
    "合格": "other",
    "省级专精特新中小企业": "provincial_specialised",
    "省级专精特新小巨人": "provincial_little_giant",
    "国家级专精特新小巨人": "national_little_giant",
    "中国专利奖": "china",
    "山西省专利奖": "shanxi",
    "通过": "passed",
    "未通过": "failed",
    "成功": "succeeded",
    "未成功": "failed",
}

# parameter names of the rule book (G.4 revisions, what-if), in the notice's words
PARAMETER_LABELS: dict[str, str] = {
    "施行日期": "in_force_from",
    "有效期截止日期": "in_force_until",
    "有效期至": "in_force_until",
    "补贴比例": "rate",
    "奖励比例": "ratio",
    "年度上限": "annual_cap",
    "每年累计上限": "annual_cap",
    "单笔上限": "award_cap",
    "项目上限": "project_cap",
    "建设期内上限": "period_cap",
    "支持比例下限": "rate_floor",
    "支持比例上限": "rate_max",
    "最长年限": "max_years",
    "连续年数": "consecutive_years",
    "厂房面积上限": "factory_area_max",
    "办公面积上限": "office_area_max",
    "容错比例": "failure_tolerance",
    "省级分担比例": "province_share",
    "市级分担比例": "city_share",
    "银行分担比例": "bank_share",
    "支付来源": "payer",
    "责任单位": "paying_unit",
}

# `jcg report NAME`
REPORT_NAMES: dict[str, str] = {
    "余额": "balances",
    "科目余额": "balances",
    "受益单位": "recipients",
    "奖励": "recipients",
    "上限": "caps",
    "额度": "caps",
    "预算": "budgets",
    "预算执行": "budgets",
    "基金": "funds",
    "贷款": "loans",
}

# `jcg grant import`: Chinese column headers and action words
CSV_HEADERS: dict[str, str] = {
    "请求号": "request_id",
    "操作": "action",
    "条款": "clause",
    "受益单位": "recipient",
    "依据": "basis",
    "计算依据": "basis",
    "金额": "amount",
    "决定日期": "decided",
    "文号": "ref",
    "原因": "reason",
    "理由": "reason",
    "资金来源": "source",
    "来源": "source",
    "奖励": "award",
    "奖励编号": "award",
    "付款凭证号": "voucher",
    "事项": "matter",
}
CSV_ACTIONS: dict[str, str] = {"奖励": "award", "拨付": "disburse", "外部奖励": "external"}


def folded(text: str) -> str:
    """One spelling for lookups: full-width forms to ASCII (NFKC), spaces trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def resolve(text: str, codes: Iterable[str], aliases: Mapping[str, str]) -> str | None:
    """``text`` as one of ``codes``: the code itself (any case), or a Chinese alias; None if neither."""
    value = folded(text)
    known = {c.casefold(): c for c in codes}
    if value.casefold() in known:
        return known[value.casefold()]
    code = aliases.get(value)
    return code if code is not None and code.casefold() in known else None


def party_kind(text: str) -> str | None:
    return resolve(text, KINDS, KIND_ALIASES)


def clause_id(text: str, ids: Iterable[str]) -> str | None:
    """A clause id typed in any case (``p2.4``, ``P2.1A``, full-width ``Ｐ２.４``) → the catalogue's id."""
    return resolve(text, ids, {})


def basis_key(text: str, names: Iterable[str]) -> str | None:
    """A basis key or its Chinese label (``合同技术交易额`` → ``contract_value``) among ``names``."""
    return resolve(text, names, BASIS_LABELS)


def basis_label(code: str, table: Mapping[str, str] = BASIS_LABELS) -> str:
    """The first Chinese word officers may type for ``code`` (a basis key, or a choice word with
    ``table=BASIS_WORDS``); the code itself when it has none."""
    return next((word for word, c in table.items() if c == code), code)


def basis_word(text: str, words: Iterable[str]) -> str | None:
    """A choice word or its Chinese (``厂房`` → ``factory``) among ``words``."""
    return resolve(text, words, BASIS_WORDS)


def parameter_name(text: str) -> str:
    """A parameter's name, or its Chinese (``补贴比例`` → ``rate``); anything else as typed (the rule
    book refuses a name it does not have)."""
    value = folded(text)
    return PARAMETER_LABELS.get(value, value)


def report_name(text: str, names: Iterable[str]) -> str | None:
    return resolve(text, names, REPORT_NAMES)


def csv_column(text: str, columns: Iterable[str]) -> str | None:
    return resolve(text, columns, CSV_HEADERS)


def csv_action(text: str, actions: Iterable[str]) -> str | None:
    return resolve(text, actions, CSV_ACTIONS)
