"""Column names of the reports and views, marked for the catalogue (docs/i18n.md).

A column's name is its data key (JSON, the read models) and the message id of its header;
the table renderer (projections/tables.py) shows the header in the officer's language. A new
column name is added here (or marked with N_ where it is declared) and translated in jcg.po.
"""

from domain.messages import N_

HEADERS = (
    N_("account"), N_("actor"), N_("amount"), N_("award"), N_("awarded"), N_("awards"), N_("bank"),
    N_("bearer"), N_("borrower"), N_("cap"), N_("capital"), N_("cash"), N_("category"), N_("clause"),
    N_("clawed_back"), N_("committed"), N_("cost_held"), N_("credit"), N_("debit"), N_("decided"),
    N_("disbursed"), N_("early_stage_projects"), N_("enterprise"), N_("event"), N_("failed_projects"),
    N_("failure_flagged"), N_("failure_tolerance"), N_("fund"), N_("kind"), N_("limit"), N_("loan"),
    N_("loss"), N_("name"), N_("name_or_enterprise"), N_("net_spent"), N_("outstanding"), N_("owed"),
    N_("paid"), N_("position"), N_("principal"), N_("proceeds"), N_("realised_gain"), N_("reassigned"),
    N_("recipient"), N_("record"), N_("recorded_at"), N_("recovered"), N_("ref"), N_("released"),
    N_("remaining"), N_("request_id"), N_("scope"), N_("share"), N_("source"), N_("status"), N_("title"),
    N_("trace"), N_("unit"), N_("units_held"), N_("unrepaid"), N_("used"), N_("year"),
    N_("code"), N_("entered"), N_("role"), N_("keys"), N_("voucher"), N_("reason"), N_("date"),
    N_("holder"), N_("units"), N_("premium"), N_("security"), N_("price"),
)
