"""The kinds of party the ledger knows, with the label it prints for each.

A plain table apart from the Enterprise aggregate (domain.enterprise re-exports it), so what
only resolves words to codes (domain.aliases, loaded by every `report` and most commands) does
not build the aggregate's event classes (~50 ms of a command's start-up)."""

from __future__ import annotations

KINDS = {
    "enterprise": "企业",
    "university": "高校",
    "institute": "科研院所",
    "service_org": "服务机构",
    "fund_manager": "基金管理人",
    "bank": "银行",
    "leasing": "融资租赁机构",
    "insurer": "保险机构",
    "person": "个人",
}
