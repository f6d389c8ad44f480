"""Export an enterprise's equity transactions as JSON modelled on the Open Cap Table Format.

The shape follows OCF's transaction objects (TX_STOCK_ISSUANCE, TX_CONVERTIBLE_ISSUANCE,
TX_CONVERTIBLE_CONVERSION, TX_STOCK_TRANSFER, TX_STOCK_REPURCHASE): quantities and amounts as
decimal strings, money as ``{"amount", "currency"}``. A 拨投结合 grant agreement is a convertible
issued to the holder fund on the approval date, carrying its conversion terms; each conversion
(into equity or debt) references it. Where the Chinese registered-capital model or the 拨投结合 terms
need more than OCF has, the extra fields carry an ``x_jcg_`` prefix. docs/captable-export.md
documents the mapping and the differences.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.captable import EquityEntry
from domain.conversion_terms import ConversionTerms
from domain.enterprise import Enterprise
from domain.fund import Fund
from domain.ids import fund_id, party_id, project_id
from domain.money import ZERO, pro_rata
from domain.project import Project
from ledger.application import Ledger
from ledger.handlers.funds import load_register

FORMAT = "jcg-captable/1 (modelled on OCF 1.x transactions)"
CURRENCY = "CNY"
STOCK_CLASS = "registered-capital"
CONVERSION_SOURCE = "conversion of project "


def _money(amount: Decimal) -> dict[str, str]:
    return {"amount": str(amount), "currency": CURRENCY}


def _per_unit(amount: Decimal, units: Decimal) -> dict[str, str]:
    """Price per unit of registered capital (OCF's share_price), to 6 places, not rounded in the ledger."""
    return _money((amount / units).quantize(Decimal("0.000001")).normalize()) if units else _money(ZERO)


class _Securities:
    """OCF tracks securities (one per issuance); a transfer consumes the seller's oldest first."""

    def __init__(self) -> None:
        self.held: dict[str, list[list[Any]]] = {}
        self.count = 0

    def new(self, holder: str, units: Decimal) -> str:
        self.count += 1
        sid = f"S-{self.count}"
        self.held.setdefault(holder, []).append([sid, units])
        return sid

    def take(self, holder: str, units: Decimal) -> list[tuple[str, Decimal, str | None, Decimal]]:
        """(security consumed, units taken from it, balance security or None, units of the balance)."""
        result: list[tuple[str, Decimal, str | None, Decimal]] = []
        positions = self.held.get(holder, [])
        while units > 0 and positions:
            sid, available = positions.pop(0)
            taken = min(units, available)
            units -= taken
            balance = None
            if available > taken:
                self.count += 1
                balance = f"S-{self.count}"
                positions.insert(0, [balance, available - taken])
            result.append((sid, taken, balance, available - taken))
        return result


def _rate(value: Decimal | None) -> str | None:
    """A rate as OCF Numeric (0.04), or None."""
    return None if value is None else f"{value.normalize():f}"


def _trigger(code: str, terms: ConversionTerms) -> dict[str, Any]:
    """The grant's conversion trigger as an OCF conversion trigger (automatic: agreed at approval)."""
    described = "; ".join(terms.describe())
    right = {
        "type": "CONVERTIBLE_CONVERSION_RIGHT",
        "conversion_mechanism": {"type": "CUSTOM_CONVERSION", "custom_conversion_description": described},
        "converts_to_stock_class_id": STOCK_CLASS,
    }
    trigger: dict[str, Any] = {"trigger_id": f"{code}-trigger-{terms.trigger.kind}", "nickname": code,
                               "trigger_description": terms.trigger.describe(), "conversion_right": right}
    if terms.trigger.kind == "date":
        assert terms.trigger.on is not None
        return {"type": "AUTOMATIC_ON_DATE", **trigger, "trigger_date": terms.trigger.on.isoformat()}
    return {"type": "AUTOMATIC_ON_CONDITION", **trigger, "trigger_condition": "首轮市场化融资 (first market financing round)"}


def _terms(terms: ConversionTerms) -> dict[str, Any]:
    """The approved terms as structured data (exact decimal strings; rates as fractions)."""
    p, x = terms.pricing, terms.exit
    return {
        "trigger": {"kind": terms.trigger.kind, "on": terms.trigger.on.isoformat() if terms.trigger.on else None},
        "pricing": {"mechanism": p.mechanism, "pre_money": _money(p.pre_money) if p.pre_money is not None else None,
                    "discount": _rate(p.discount)},
        "max_stake": _rate(terms.max_stake),
        "exit": {"formula": x.kind, "price": _money(x.price) if x.price is not None else None,
                 "rate": _rate(x.rate), "window_from_years": terms.window_from_years,
                 "window_until_years": terms.window_until_years, "ratio": _rate(terms.ratio)},
        "debt": None if terms.debt_rate is None else {"rate": _rate(terms.debt_rate), "years": terms.debt_years},
        "text": terms.describe(),
    }


def convertible_issuance(approved: Any, fund_name: str = "") -> dict[str, Any]:
    """The grant agreement (a Project.Approved event) as an OCF TX_CONVERTIBLE_ISSUANCE without its id."""
    terms = ConversionTerms.from_dict(approved.terms)
    day = approved.by.decided.isoformat()
    return {
        "object_type": "TX_CONVERTIBLE_ISSUANCE",
        "date": day,
        "security_id": f"{approved.code}-grant",
        "custom_id": approved.code,
        "stakeholder_id": approved.fund,
        "board_approval_date": day,
        "consideration_text": f"{approved.clause} 拨投结合 grant {approved.title} from {approved.source}"
                              + (f", stake held by {fund_name}" if fund_name else ""),
        "security_law_exemptions": [],
        "investment_amount": _money(approved.amount),
        "convertible_type": "CONVERTIBLE_SECURITY",
        "conversion_triggers": [_trigger(approved.code, terms)],
        "seniority": 1,
        "x_jcg_clause": approved.clause,
        "x_jcg_terms": _terms(terms),
        "x_jcg_decision_ref": approved.by.ref,
    }


class _Grants:
    """The convertible (grant) securities: a partial conversion leaves a balance security."""

    def __init__(self, approved: dict[str, Any]) -> None:
        self.current = {code: f"{code}-grant" for code in approved}
        self.left = {code: e.amount for code, e in approved.items()}
        self.count: dict[str, int] = {}

    def convert(self, code: str, amount: Decimal) -> tuple[str, str | None, Decimal]:
        """(security converted, balance security or None, amount left on the balance) for converting
        ``amount`` of ``code``'s grant."""
        sid = self.current.get(code, f"{code}-grant")
        left = self.left.get(code, amount) - amount
        self.left[code] = left
        if left <= 0:
            return sid, None, ZERO
        self.count[code] = self.count.get(code, 0) + 1
        balance = f"{code}-grant-{self.count[code] + 1}"
        self.current[code] = balance
        return sid, balance, left


def _stock_created(tx: str, sid: str, holder: str, units: Decimal, day: str, price: dict[str, str], why: str,
                   ref: str) -> dict[str, Any]:
    """The TX_STOCK_ISSUANCE of a security a transfer or repurchase creates (the transferee's new
    security or the holder's balance): OCF requires every resulting and balance security to be
    issued. It moves existing registered capital (``x_jcg_created_by`` names the transaction), so
    it is not new registered capital."""
    return {
        "object_type": "TX_STOCK_ISSUANCE", "id": f"{tx}-{sid}", "date": day, "security_id": sid, "custom_id": sid,
        "stakeholder_id": holder, "stock_class_id": STOCK_CLASS, "quantity": str(units), "share_price": price,
        "consideration_text": why, "security_law_exemptions": [], "x_jcg_created_by": tx,
        "x_jcg_registered_capital": _money(ZERO), "x_jcg_premium": _money(ZERO), "x_jcg_decision_ref": ref,
    }


def _grant_balance(approved: Any, tx: str, sid: str, of: str, left: Decimal, day: str, fund_name: str) -> dict[str, Any]:
    """The TX_CONVERTIBLE_ISSUANCE of the unconverted balance of a grant after a partial conversion."""
    issued = convertible_issuance(approved, fund_name) if approved is not None else {}
    return {**issued, "object_type": "TX_CONVERTIBLE_ISSUANCE", "id": f"{tx}-{sid}", "date": day,
            "security_id": sid, "investment_amount": _money(left), "x_jcg_created_by": tx, "x_jcg_balance_of": of}


def _project_events(ledger: Ledger, enterprise: str) -> tuple[dict[str, Any], list[Any]]:
    """The enterprise's project approvals (by code) and its conversions into debt, from the log."""
    approved: dict[str, Any] = {}
    debt: list[Any] = []
    for _, e in ledger.read_log():
        if isinstance(e, Project.Approved) and e.enterprise == enterprise:
            approved[e.code] = e
        elif isinstance(e, Project.Converted) and e.enterprise == enterprise and e.into == "debt":
            debt.append(e)
    return approved, debt


def _trigger_id(approved: dict[str, Any], code: str, kind: str = "") -> str:
    if code in approved:
        kind = approved[code].terms["trigger"]
    return f"{code}-trigger-{kind}"


def _fund_name(ledger: Ledger, code: str) -> str:
    try:
        fund: Fund = ledger.aggregate(fund_id(code))
    except AggregateNotFoundError:
        return ""
    return fund.name


def _project_facts(ledger: Ledger, code: str) -> dict[str, Any]:
    try:
        p = ledger.aggregate(project_id(code))
    except AggregateNotFoundError:
        return {}
    trigger = p.trigger or {}
    return {"clause": p.clause, "trigger_on": trigger.get("on"), "trigger_kind": trigger.get("kind"), "fund": p.fund}


def transactions(
    ledger: Ledger, enterprise: str, entries: list[EquityEntry], approved: dict[str, Any] | None = None,
    debt_conversions: list[Any] | None = None, fund_names: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The OCF-shaped transaction objects in date order: on one day, grant issuances first, then
    the share register's entries, then conversions into debt."""
    approved = approved or {}
    fund_names = fund_names if fund_names is not None else {
        e.fund: _fund_name(ledger, e.fund) for e in approved.values()}
    securities = _Securities()
    grants = _Grants(approved)
    out: list[dict[str, Any]] = []
    n = 0

    def tx_id() -> str:
        nonlocal n
        n += 1
        return f"{enterprise}-TX-{n}"

    steps: list[tuple[Any, int, int, str, Any]] = [
        (e.by.decided, 0, i, "grant", e) for i, e in enumerate(approved.values())]
    steps += [(e.on, 1, i, "entry", e) for i, e in enumerate(entries)]
    steps += [(e.by.decided, 2, i, "debt", e) for i, e in enumerate(debt_conversions or [])]
    for _, _, _, what, item in sorted(steps, key=lambda s: s[:3]):
        if what == "grant":
            out.append({"object_type": "TX_CONVERTIBLE_ISSUANCE", "id": tx_id(),
                        **{k: v for k, v in convertible_issuance(item, fund_names.get(item.fund, "")).items()
                           if k != "object_type"}})
            continue
        if what == "debt":
            sid, balance, left = grants.convert(item.code, item.amount)
            tx = tx_id()
            out.append({
                "object_type": "TX_CONVERTIBLE_CONVERSION",
                "id": tx,
                "date": item.by.decided.isoformat(),
                "security_id": sid,
                "reason_text": f"{item.clause} 拨投结合: grant of project {item.code} converted into debt",
                "trigger_id": _trigger_id(approved, item.code),
                "quantity_converted": str(item.amount),
                "resulting_security_ids": [],
                **({"balance_security_id": balance} if balance else {}),
                "x_jcg_into": "debt",
                "x_jcg_amount_converted": _money(item.amount),
                "x_jcg_trace": list(item.trace),
                "x_jcg_decision_ref": item.by.ref,
            })
            if balance:
                out.append(_grant_balance(approved.get(item.code), tx, balance, sid, left,
                                          item.by.decided.isoformat(), fund_names.get(item.fund, "")))
            continue
        e = item
        day = e.on.isoformat()
        if e.kind == "issuance":
            conversion = e.source.startswith(CONVERSION_SOURCE)
            sid = securities.new(e.holder, e.units)
            if conversion:
                project = e.source[len(CONVERSION_SOURCE):]
                facts = _project_facts(ledger, project)
                amount = e.units + e.premium
                grant_sid, balance, left = grants.convert(project, amount)
                tx = tx_id()
                out.append({
                    "object_type": "TX_CONVERTIBLE_CONVERSION",
                    "id": tx,
                    "date": day,
                    "security_id": grant_sid,
                    "reason_text": f"{facts.get('clause', 'P2.2')} 拨投结合: grant of project {project} converted",
                    "trigger_id": _trigger_id(approved, project, facts.get("trigger_kind", "")),
                    "quantity_converted": str(amount),
                    "resulting_security_ids": [sid],
                    **({"balance_security_id": balance} if balance else {}),
                    "x_jcg_into": "equity",
                    "x_jcg_amount_converted": _money(amount),
                    "x_jcg_decision_ref": e.ref,
                })
                if balance:
                    grant = approved.get(project)
                    out.append(_grant_balance(grant, tx, balance, grant_sid, left, day,
                                              fund_names.get(grant.fund, "") if grant is not None else ""))
            out.append({
                "object_type": "TX_STOCK_ISSUANCE",
                "id": tx_id(),
                "date": day,
                "security_id": sid,
                "custom_id": sid,
                "stakeholder_id": e.holder,
                "stock_class_id": STOCK_CLASS,
                "quantity": str(e.units),
                "share_price": _per_unit(e.units + e.premium, e.units),
                "consideration_text": e.source,
                "security_law_exemptions": [],
                "x_jcg_registered_capital": _money(e.units),
                "x_jcg_premium": _money(e.premium),
                "x_jcg_decision_ref": e.ref,
            })
        elif e.kind == "transfer":
            price = _per_unit(e.price, e.units)
            parts = securities.take(e.seller, e.units)
            for (sid, taken, balance, left), part_price in zip(parts, _price_parts(e.price, parts), strict=True):
                tx = tx_id()
                buyer_sid = securities.new(e.holder, taken)
                out.append({
                    "object_type": "TX_STOCK_TRANSFER",
                    "id": tx,
                    "date": day,
                    "security_id": sid,
                    "quantity": str(taken),
                    "resulting_security_ids": [buyer_sid],
                    **({"balance_security_id": balance} if balance else {}),
                    "consideration_text": f"{e.source}: {e.seller} → {e.holder}",
                    "x_jcg_from": e.seller,
                    "x_jcg_to": e.holder,
                    "x_jcg_price": _money(part_price),
                    "x_jcg_price_per_unit": price,
                    "x_jcg_decision_ref": e.ref,
                })
                out.append(_stock_created(tx, buyer_sid, e.holder, taken, day, price,
                                          f"{e.source}: transferred from {e.seller} ({sid})", e.ref))
                if balance:
                    out.append(_stock_created(tx, balance, e.seller, left, day, _money(ZERO),
                                              f"balance of {sid} kept by {e.seller} after the transfer", e.ref))
        elif e.kind == "repurchase":
            parts = securities.take(e.holder, e.units)
            for (sid, taken, balance, left), part_price in zip(parts, _price_parts(e.price, parts), strict=True):
                tx = tx_id()
                out.append({
                    "object_type": "TX_STOCK_REPURCHASE",
                    "id": tx,
                    "date": day,
                    "security_id": sid,
                    "quantity": str(taken),
                    "price": _per_unit(e.price, e.units),
                    **({"balance_security_id": balance} if balance else {}),
                    "consideration_text": e.source,
                    "x_jcg_total_price": _money(part_price),
                    "x_jcg_decision_ref": e.ref,
                })
                if balance:
                    out.append(_stock_created(tx, balance, e.holder, left, day, _money(ZERO),
                                              f"balance of {sid} kept by {e.holder} after the repurchase", e.ref))
    return out


def export_captable(ledger: Ledger, enterprise: str, as_of: date | None = None) -> dict[str, Any]:
    """The enterprise's equity history (up to ``as_of``) and its cap table on that date."""
    register = load_register(ledger, enterprise)
    entries = [e for e in register.entries if as_of is None or e.on <= as_of]
    approved, debt = _project_events(ledger, enterprise)
    approved = {c: e for c, e in approved.items() if as_of is None or e.by.decided <= as_of}
    debt = [e for e in debt if as_of is None or e.by.decided <= as_of]
    day = as_of or register.latest() or date.today()
    table = register.table(day)
    try:
        issuer: Enterprise = ledger.aggregate(party_id(enterprise))
        legal_name = issuer.name
    except AggregateNotFoundError:  # pragma: no cover - a register is only opened for a registered party
        legal_name = enterprise
    holders = sorted({e.holder for e in entries} | {e.seller for e in entries if e.seller}
                     | {e.fund for e in approved.values()})
    fund_names = {code: _fund_name(ledger, code) for code in {e.fund for e in approved.values()}}
    names = {**{code: name or code for code, name in fund_names.items()}, **register.names}
    return {
        "format": FORMAT,
        "issuer": {"object_type": "ISSUER", "id": enterprise, "legal_name": legal_name,
                   "x_jcg_registered_capital": _money(table.registered_capital),
                   "x_jcg_premium": _money(table.premium)},
        "stock_classes": [{"object_type": "STOCK_CLASS", "id": STOCK_CLASS, "name": "注册资本 (1 unit = 1 yuan)",
                           "class_type": "COMMON", "par_value": _money(Decimal("1.00"))}],
        "stakeholders": [{"object_type": "STAKEHOLDER", "id": h,
                          "name": {"legal_name": names.get(h, h)}} for h in holders],
        "transactions": transactions(ledger, enterprise, entries, approved, debt, fund_names),
        "x_jcg_cap_table": {
            "as_of": day.isoformat(),
            "registered_capital": str(table.registered_capital),
            "holdings": [{"stakeholder_id": h.holder, "quantity": str(h.units),
                          "percent": str((h.share * 100).quantize(Decimal("0.0001")))} for h in table.holdings],
        },
    }


def export_json(ledger: Ledger, enterprise: str, as_of: date | None = None) -> str:
    return json.dumps(export_captable(ledger, enterprise, as_of), ensure_ascii=False, indent=2)


def _price_parts(total: Decimal, parts: list[Any]) -> list[Decimal]:
    """A price shared over the securities a transaction consumes: the parts add up exactly."""
    if total == 0:
        return [ZERO for _ in parts]
    return pro_rata(total, [Decimal(taken) for _, taken, _, _ in parts])
