"""Import templates: for each operation of `jcg grant import`, its columns with the Chinese headers
officers see (domain/aliases.py reads them back) and one example row."""

from __future__ import annotations

from domain.errors import Refused
from domain.messages import N_

# operation → ((column, Chinese header), ...), example row
TEMPLATES: dict[str, tuple[tuple[tuple[str, str], ...], list[str]]] = {
    "award": (
        (("request_id", "请求号"), ("action", "操作"), ("clause", "条款"), ("recipient", "受益单位"),
         ("basis", "依据"), ("amount", "金额"), ("decided", "决定日期"), ("ref", "文号"), ("reason", "原因"),
         ("source", "资金来源")),
        ["2025-award-001", "奖励", "P2.4", "U1", "合同技术交易额=765万;合同编号=HT-2025-001;登记日期=2024-11-01;合同相对方=E1", "", "2025-03-01",
         "临科发〔2025〕12号", "", "市财政"],
    ),
    "disburse": (
        (("request_id", "请求号"), ("action", "操作"), ("award", "奖励编号"), ("amount", "金额"),
         ("decided", "决定日期"), ("voucher", "付款凭证号"), ("ref", "文号")),
        ["2025-pay-001", "拨付", "U1-A1", "153,086.42", "2025-03-10", "付-2025-031", ""],
    ),
    "external": (
        (("request_id", "请求号"), ("action", "操作"), ("clause", "条款"), ("recipient", "受益单位"),
         ("matter", "事项"), ("amount", "金额"), ("source", "资金来源"), ("decided", "决定日期"), ("ref", "文号")),
        ["2025-ext-001", "外部奖励", "P6.7", "ENT-001", "P6.7:ZL202310001", "5万", "省级晋创谷政策", "2025-04-01",
         "晋科发〔2025〕8号"],
    ),
}


def template_columns(operation: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    if operation not in TEMPLATES:
        raise Refused(N_("no import template for {operation} (one of {operations})"), operation=operation,
                      operations=", ".join(TEMPLATES))
    return TEMPLATES[operation]
