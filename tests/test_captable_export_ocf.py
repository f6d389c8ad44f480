"""The cap table export (OCF-shaped): the grant agreement is a TX_CONVERTIBLE_ISSUANCE with its terms,
each conversion a TX_CONVERTIBLE_CONVERSION referencing it; exact decimal strings (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger import Ledger
from ledger.exchange.captable_export import export_captable, export_json
from ledger.handlers.projects import BuyBack, ConvertProject, PayTranche, RecordTrigger
from tests.builders import on, setup
from tests.posting import paid

D = Decimal
pytestmark = [getattr(pytest.mark, "P2.2")]

ISSUANCE_KEYS = {"object_type", "id", "date", "security_id", "custom_id", "stakeholder_id", "board_approval_date",
                 "consideration_text", "security_law_exemptions", "investment_amount", "convertible_type",
                 "conversion_triggers", "seniority", "x_jcg_clause", "x_jcg_terms", "x_jcg_decision_ref"}


def of_type(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [t for t in doc["transactions"] if t["object_type"] == kind]


def test_grant_is_a_convertible_issuance_with_its_terms(ledger: Ledger) -> None:
    setup(ledger)
    doc = json.loads(export_json(ledger, "ENT-1"))  # through JSON: only strings, numbers, lists, dicts
    [grant] = of_type(doc, "TX_CONVERTIBLE_ISSUANCE")
    assert set(grant) == ISSUANCE_KEYS
    assert grant["date"] == grant["board_approval_date"] == "2025-01-10"
    assert (grant["security_id"], grant["custom_id"], grant["stakeholder_id"]) == ("PJ-1-grant", "PJ-1", "F-SEED")
    assert grant["investment_amount"] == {"amount": "3000000.00", "currency": "CNY"}
    assert grant["convertible_type"] == "CONVERTIBLE_SECURITY" and grant["seniority"] == 1
    assert grant["x_jcg_decision_ref"] == "临科发〔2025〕5号" and grant["x_jcg_clause"] == "P2.2"
    [trigger] = grant["conversion_triggers"]
    assert trigger["type"] == "AUTOMATIC_ON_DATE" and trigger["trigger_date"] == "2025-12-31"
    assert trigger["trigger_id"] == "PJ-1-trigger-date"
    right = trigger["conversion_right"]
    assert right["type"] == "CONVERTIBLE_CONVERSION_RIGHT" and right["converts_to_stock_class_id"] == "registered-capital"
    assert right["conversion_mechanism"]["type"] == "CUSTOM_CONVERSION"
    assert "fixed pre-money valuation 12,000,000.00" in right["conversion_mechanism"]["custom_conversion_description"]
    terms = grant["x_jcg_terms"]
    assert terms["pricing"] == {"mechanism": "fixed", "pre_money": {"amount": "12000000.00", "currency": "CNY"},
                                "discount": None}
    assert terms["max_stake"] == "0.25"
    assert terms["exit"] == {"formula": "interest", "price": None, "rate": "0.04", "window_from_years": 1,
                             "window_until_years": 5, "ratio": "1"}
    assert terms["debt"] is None and terms["trigger"] == {"kind": "date", "on": "2025-12-31"}
    assert {"object_type": "STAKEHOLDER", "id": "F-SEED", "name": {"legal_name": "临汾市天使投资基金"}} in doc["stakeholders"]
    # before the approval the grant does not exist
    assert not of_type(export_captable(ledger, "ENT-1", as_of=date(2025, 1, 9)), "TX_CONVERTIBLE_ISSUANCE")


def test_conversions_reference_the_grant_and_leave_a_balance(ledger: Ledger) -> None:
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("1500000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-05", ref="临科发〔2026〕1号")))
    paid(ledger, PayTranche(project="PJ-1", amount=D("1500000.00"), **on("2026-02-01")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-02-01")))
    paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("500000.00"), **on("2028-01-05")))
    doc = json.loads(export_json(ledger, "ENT-1"))
    assert [t["object_type"] for t in doc["transactions"]] == [
        "TX_STOCK_ISSUANCE", "TX_STOCK_ISSUANCE", "TX_CONVERTIBLE_ISSUANCE",
        "TX_CONVERTIBLE_CONVERSION", "TX_CONVERTIBLE_ISSUANCE", "TX_STOCK_ISSUANCE",  # balance of the grant
        "TX_CONVERTIBLE_CONVERSION", "TX_STOCK_ISSUANCE",
        "TX_STOCK_TRANSFER", "TX_STOCK_ISSUANCE", "TX_STOCK_ISSUANCE"]  # transferee's security, fund's balance
    first, second = of_type(doc, "TX_CONVERTIBLE_CONVERSION")
    issuances = {t["id"]: t for t in of_type(doc, "TX_STOCK_ISSUANCE")}
    by_security = {t["security_id"]: t for t in issuances.values()}
    assert first["security_id"] == "PJ-1-grant" and first["balance_security_id"] == "PJ-1-grant-2"
    balance_grant = next(t for t in of_type(doc, "TX_CONVERTIBLE_ISSUANCE") if t["security_id"] == "PJ-1-grant-2")
    assert balance_grant["investment_amount"] == {"amount": "1500000.00", "currency": "CNY"}
    assert balance_grant["x_jcg_created_by"] == first["id"] and balance_grant["x_jcg_balance_of"] == "PJ-1-grant"
    assert first["trigger_id"] == "PJ-1-trigger-date" and first["quantity_converted"] == "1500000.00"
    assert first["x_jcg_into"] == "equity" and first["x_jcg_decision_ref"] == "临科发〔2026〕1号"
    # 5,000,000 × 1,500,000 / 12,000,000 = 625,000 registered capital, premium 875,000
    resulting = by_security[first["resulting_security_ids"][0]]
    assert resulting["stakeholder_id"] == "F-SEED" and resulting["quantity"] == "625000.00"
    assert resulting["x_jcg_premium"] == {"amount": "875000.00", "currency": "CNY"}
    assert resulting["share_price"] == {"amount": "2.4", "currency": "CNY"}
    assert second["security_id"] == "PJ-1-grant-2" and "balance_security_id" not in second
    # the second tranche converts at the first one's price (12,000,000 / 5,000,000 = 2.4 a unit): 625,000
    assert by_security[second["resulting_security_ids"][0]]["quantity"] == "625000.00"
    transfer = of_type(doc, "TX_STOCK_TRANSFER")[0]
    assert transfer["quantity"] == "500000.00" and transfer["x_jcg_to"] == "张三"
    for t in doc["transactions"]:
        assert all(isinstance(t[k], str) for k in ("id", "date", "object_type"))


def test_debt_conversion_is_exported_without_resulting_stock(ledger: Ledger) -> None:
    setup(ledger, debt=True)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", into="debt", **on("2026-01-05")))
    doc = export_captable(ledger, "ENT-1")
    [grant] = of_type(doc, "TX_CONVERTIBLE_ISSUANCE")
    assert grant["x_jcg_terms"]["debt"] == {"rate": "0.05", "years": 3}
    [conversion] = of_type(doc, "TX_CONVERTIBLE_CONVERSION")
    assert conversion["x_jcg_into"] == "debt" and conversion["resulting_security_ids"] == []
    assert conversion["security_id"] == "PJ-1-grant" and conversion["quantity_converted"] == "3000000.00"
    assert doc["x_jcg_cap_table"]["registered_capital"] == "5000000.00"  # debt changes no registered capital


def test_every_resulting_and_balance_security_is_issued(ledger: Ledger) -> None:
    """OCF: a transfer's resulting securities and every balance security are issued by a
    TX_STOCK_ISSUANCE (or TX_CONVERTIBLE_ISSUANCE); securities created by a transfer move existing
    registered capital, so the register still adds up."""
    setup(ledger)
    paid(ledger, PayTranche(project="PJ-1", amount=D("3000000.00"), **on("2025-02-01")))
    ledger.execute(RecordTrigger(project="PJ-1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", amount=D("1500000.00"), **on("2026-01-05")))
    ledger.execute(ConvertProject(project="PJ-1", **on("2026-01-06")))
    paid(ledger, BuyBack(project="PJ-1", buyer="张三", units=D("700000.00"), **on("2028-01-05")))  # spans 2 lots
    paid(ledger, BuyBack(project="PJ-1", buyer="ENT-1", units=D("100000.00"), **on("2028-01-06")))
    doc = json.loads(export_json(ledger, "ENT-1"))
    issued: dict[str, dict[str, Any]] = {}
    for t in doc["transactions"]:
        if t["object_type"] in ("TX_STOCK_ISSUANCE", "TX_CONVERTIBLE_ISSUANCE"):
            assert t["security_id"] not in issued
            issued[t["security_id"]] = t
    referenced = []
    for t in doc["transactions"]:
        referenced += t.get("resulting_security_ids", []) + ([t["balance_security_id"]] if "balance_security_id"
                                                              in t else [])
        if "security_id" in t and t["object_type"] not in ("TX_STOCK_ISSUANCE", "TX_CONVERTIBLE_ISSUANCE"):
            referenced.append(t["security_id"])
    missing = [sid for sid in referenced if sid not in issued]
    assert referenced and not missing
    transfers = of_type(doc, "TX_STOCK_TRANSFER")
    assert [t["quantity"] for t in transfers] == ["625000.00", "75000.00"]  # the oldest lot first
    for t in transfers:
        [new] = t["resulting_security_ids"]
        assert issued[new]["stakeholder_id"] == "张三" and issued[new]["quantity"] == t["quantity"]
        assert issued[new]["x_jcg_created_by"] == t["id"]
    [repurchase] = of_type(doc, "TX_STOCK_REPURCHASE")
    assert issued[repurchase["balance_security_id"]]["stakeholder_id"] == "F-SEED"
    new_capital = sum(D(t["quantity"]) for t in of_type(doc, "TX_STOCK_ISSUANCE") if "x_jcg_created_by" not in t)
    cancelled = sum(D(t["quantity"]) for t in of_type(doc, "TX_STOCK_REPURCHASE"))
    assert str(new_capital - cancelled) == doc["x_jcg_cap_table"]["registered_capital"]
    # what each holder holds = their live securities
    live = dict.fromkeys(issued, True)
    for t in doc["transactions"]:
        if t["object_type"] in ("TX_STOCK_TRANSFER", "TX_STOCK_REPURCHASE", "TX_CONVERTIBLE_CONVERSION"):
            live[t["security_id"]] = False
    held: dict[str, Decimal] = {}
    for sid, t in issued.items():
        if live[sid] and t["object_type"] == "TX_STOCK_ISSUANCE":
            held[t["stakeholder_id"]] = held.get(t["stakeholder_id"], D(0)) + D(t["quantity"])
    assert {h["stakeholder_id"]: D(h["quantity"]) for h in doc["x_jcg_cap_table"]["holdings"]} == held
