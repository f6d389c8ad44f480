"""Export an enterprise's equity transactions as JSON modelled on the Open Cap Table Format.

The shape follows OCF's transaction objects (TX_STOCK_ISSUANCE, TX_CONVERTIBLE_CONVERSION,
TX_STOCK_TRANSFER, TX_STOCK_REPURCHASE): quantities and amounts as decimal strings, money as
``{"amount", "currency"}``. Where the Chinese registered-capital model or the 拨投结合 terms
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
from domain.enterprise import Enterprise
from domain.ids import party_id, project_id
from domain.money import ZERO
from ledger.funds import load_register

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

    def take(self, holder: str, units: Decimal) -> list[tuple[str, Decimal, str | None]]:
        """(security consumed, units taken from it, balance security or None)."""
        result: list[tuple[str, Decimal, str | None]] = []
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
            result.append((sid, taken, balance))
        return result


def _project_facts(ledger: Any, code: str) -> dict[str, Any]:
    try:
        p = ledger.aggregate(project_id(code))
    except AggregateNotFoundError:
        return {}
    trigger = p.trigger or {}
    return {"clause": p.clause, "trigger_on": trigger.get("on"), "trigger_kind": trigger.get("kind"),
            "terms": p.terms.describe(), "fund": p.fund}


def transactions(ledger: Any, enterprise: str, entries: list[EquityEntry]) -> list[dict[str, Any]]:
    """The OCF-shaped transaction objects of the entries, in date order."""
    securities = _Securities()
    out: list[dict[str, Any]] = []
    n = 0

    def tx_id() -> str:
        nonlocal n
        n += 1
        return f"{enterprise}-TX-{n}"

    for e in sorted(entries, key=lambda e: e.on):
        day = e.on.isoformat()
        if e.kind == "issuance":
            conversion = e.source.startswith(CONVERSION_SOURCE)
            sid = securities.new(e.holder, e.units)
            if conversion:
                project = e.source[len(CONVERSION_SOURCE):]
                facts = _project_facts(ledger, project)
                out.append({
                    "object_type": "TX_CONVERTIBLE_CONVERSION",
                    "id": tx_id(),
                    "date": day,
                    "security_id": f"{project}-grant",
                    "reason_text": f"{facts.get('clause', 'P2.2')} 拨投结合: grant of project {project} converted",
                    "trigger_id": f"{project}-trigger-{facts.get('trigger_kind', '')}",
                    "resulting_security_ids": [sid],
                    "x_jcg_amount_converted": _money(e.units + e.premium),
                    "x_jcg_terms": facts.get("terms", []),
                    "x_jcg_decision_ref": e.ref,
                })
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
            buyer_sid = securities.new(e.holder, e.units)
            for sid, taken, balance in securities.take(e.seller, e.units):
                out.append({
                    "object_type": "TX_STOCK_TRANSFER",
                    "id": tx_id(),
                    "date": day,
                    "security_id": sid,
                    "quantity": str(taken),
                    "resulting_security_ids": [buyer_sid],
                    **({"balance_security_id": balance} if balance else {}),
                    "consideration_text": f"{e.source}: {e.seller} → {e.holder}",
                    "x_jcg_from": e.seller,
                    "x_jcg_to": e.holder,
                    "x_jcg_price": _money((e.price * taken / e.units).quantize(Decimal("0.01"))),
                    "x_jcg_price_per_unit": _per_unit(e.price, e.units),
                    "x_jcg_decision_ref": e.ref,
                })
        elif e.kind == "repurchase":
            for sid, taken, balance in securities.take(e.holder, e.units):
                out.append({
                    "object_type": "TX_STOCK_REPURCHASE",
                    "id": tx_id(),
                    "date": day,
                    "security_id": sid,
                    "quantity": str(taken),
                    "price": _per_unit(e.price, e.units),
                    **({"balance_security_id": balance} if balance else {}),
                    "consideration_text": e.source,
                    "x_jcg_total_price": _money((e.price * taken / e.units).quantize(Decimal("0.01"))),
                    "x_jcg_decision_ref": e.ref,
                })
    return out


def export_captable(ledger: Any, enterprise: str, as_of: date | None = None) -> dict[str, Any]:
    """The enterprise's equity history (up to ``as_of``) and its cap table on that date."""
    register = load_register(ledger, enterprise)
    entries = [e for e in register.entries if as_of is None or e.on <= as_of]
    day = as_of or register.latest() or date.today()
    table = register.table(day)
    try:
        issuer: Enterprise = ledger.aggregate(party_id(enterprise))
        legal_name = issuer.name
    except AggregateNotFoundError:  # pragma: no cover - a register is only opened for a registered party
        legal_name = enterprise
    holders = sorted({e.holder for e in entries} | {e.seller for e in entries if e.seller})
    return {
        "format": FORMAT,
        "issuer": {"object_type": "ISSUER", "id": enterprise, "legal_name": legal_name,
                   "x_jcg_registered_capital": _money(table.registered_capital),
                   "x_jcg_premium": _money(table.premium)},
        "stock_classes": [{"object_type": "STOCK_CLASS", "id": STOCK_CLASS, "name": "注册资本 (1 unit = 1 yuan)",
                           "class_type": "COMMON", "par_value": _money(Decimal("1.00"))}],
        "stakeholders": [{"object_type": "STAKEHOLDER", "id": h,
                          "name": {"legal_name": register.names.get(h, h)}} for h in holders],
        "transactions": transactions(ledger, enterprise, entries),
        "x_jcg_cap_table": {
            "as_of": day.isoformat(),
            "registered_capital": str(table.registered_capital),
            "holdings": [{"stakeholder_id": h.holder, "quantity": str(h.units),
                          "percent": str((h.share * 100).quantize(Decimal("0.0001")))} for h in table.holdings],
        },
    }


def export_json(ledger: Any, enterprise: str, as_of: date | None = None) -> str:
    return json.dumps(export_captable(ledger, enterprise, as_of), ensure_ascii=False, indent=2)
