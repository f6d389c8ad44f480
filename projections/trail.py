"""The audit trail: every recorded event with who, when, on which decision, and how each
amount was derived. Unknown event types still get a row (their decision date and any amount).

A row keeps what a trail is found and dated by: the event, the entity and award it belongs
to, its decision date, clause and amount. What is shown beside it (who recorded it, when,
under which request and reference, and the derivation: :func:`trace_of`, the recorded trace
and the journal legs formatted) is read from the log for the few events shown
(:func:`details`), not stored per event: formatting the derivation for every event was a
third of a rebuild's time, and the six columns of provenance a tenth (docs/decisions.md)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from domain.money import fmt
from domain.provenance import Provenance
from projections.layout import BIGINT, TEXT, Column, Table, key
from projections.memo import kept
from projections.state import State, decision_day, postings_of, to_fen

TRAIL = Table(
    "rm_trail",
    key("position", BIGINT),
    Column("event", TEXT),
    Column("entity", TEXT),
    Column("award", TEXT),
    Column("decided", TEXT),
    Column("clause", TEXT),
    Column("amount_fen", BIGINT),
)

ENTITIES = Table(
    "rm_entities",
    key("originator_id"),
    Column("kind", TEXT),
    Column("code", TEXT),
)

TABLES = (TRAIL, ENTITIES)

AMOUNT_FIELDS = ("amount", "principal", "capital")


def amount_of(event: Any) -> Decimal | None:
    """The money figure an event records, if any (the first of amount, principal, capital)."""
    for name in AMOUNT_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, Decimal):
            return value
    return None


def clause_of(event: Any) -> str:
    return str(getattr(event, "clause", "") or getattr(event, "category", "") or "")


def event_name(event: Any) -> str:
    return type(event).__qualname__


# what the trail needs of an event class, worked out once per class: (its name, whose entity it
# names: a request, a payment's, or its own aggregate's)
REQUEST, PAYMENT, OWN = 0, 1, 2
_PLANS: dict[type, tuple[str, int]] = {}
_text = kept(str)  # aggregate ids as text (an aggregate's events repeat it)


def _plan(cls: type) -> tuple[str, int]:
    name = cls.__qualname__
    plan = name, REQUEST if name.startswith("RecordedRequest.") else PAYMENT if name.startswith("Payment.") else OWN
    _PLANS[cls] = plan
    return plan


def entity_of(state: State, event: Any) -> tuple[str, str]:
    """(kind, code) of the aggregate an event belongs to; created events name it."""
    name, kind = _PLANS.get(type(event)) or _plan(type(event))
    return _entity(state, event, name, kind, str(event.originator_id))


def _entity(state: State, event: Any, name: str, kind: int, originator: str) -> tuple[str, str]:
    if kind == REQUEST:
        return "request", f"request:{getattr(event, 'request', '')}"
    if kind == PAYMENT:  # an order or its posting/void: beside what it pays
        return "payment", str(getattr(event, "entity", ""))
    code = getattr(event, "code", None)
    if code:
        aggregate = name.split(".")[0].lower()
        state.put(ENTITIES, (originator,), kind=aggregate, code=str(code))
        return aggregate, str(code)
    known = state.get(ENTITIES, (originator,))
    if known:
        return str(known["kind"]), str(known["code"])
    return "unknown", originator


def trace_of(event: Any, amount: Decimal | None, clause: str) -> list[str]:
    """The derivation as recorded with the event, else a plain sentence; then the journal."""
    recorded = getattr(event, "trace", None)
    lines = [str(line) for line in recorded] if isinstance(recorded, (list, tuple)) and recorded else []
    name = event_name(event).split(".")[-1]
    if not lines and amount is not None:
        detail = []
        for attr in ("award_id", "party", "source", "voucher", "reference", "operation", "reason"):
            value = getattr(event, attr, "")
            if value:
                detail.append(f"{attr} {value}")
        prefix = f"{clause}: " if clause else ""
        lines.append(f"{prefix}{name} {fmt(amount)}" + (f" ({', '.join(detail)})" if detail else ""))
    if name == "Accepted" and getattr(event, "summary", ""):
        lines.append(f"request {getattr(event, 'kind', '')}: {event.summary}")
    legs = postings_of(event)
    if legs:
        lines.append("journal: " + "; ".join(
            f"{'Dr' if p.amount > 0 else 'Cr'} {p.account} {fmt(abs(p.amount))}" for p in legs
        ))
    return lines


def _paid_award(event: Any, name: str) -> str:
    """The award a payment order (or its posting or void) pays, so it shows in the award's trail."""
    if name.startswith("Payment.") and getattr(event, "operation", "") == "grant.disburse":
        return str(getattr(event, "item", ""))
    return ""


class Detail(NamedTuple):
    """What a trail shows of an event beside its row: who recorded it, when, under which
    request and reference (its provenance; "" for an event without one), and the derivation."""

    actor: str
    ref: str
    request_id: str
    recorded_at: str
    trace: str


def detail_of(event: Any) -> Detail:
    """Made from the event itself when a trail shows it (the row keeps none of it)."""
    by = getattr(event, "by", None)
    trace = "\n".join(trace_of(event, amount_of(event), clause_of(event)))
    if not isinstance(by, Provenance):
        return Detail("", "", "", "", trace)
    return Detail(by.actor, by.ref, by.request_id, by.recorded_at.isoformat(), trace)


def details(ledger: Any, positions: Iterable[int]) -> dict[int, Detail]:
    """The :class:`Detail` of the events at ``positions``, read from the log in runs of
    neighbouring positions (a trail shows a few events)."""
    wanted = sorted(set(positions))
    out: dict[int, Detail] = {}
    i = 0
    while i < len(wanted):
        j = i
        while j + 1 < len(wanted) and wanted[j + 1] - wanted[j] <= 64:
            j += 1
        keep = set(wanted[i:j + 1])
        for position, event in ledger.read_log(wanted[i], wanted[j]):
            if position in keep:
                out[position] = detail_of(event)
        i = j + 1
    return out


def apply(state: State, position: int, event: Any) -> None:
    name, kind = _PLANS.get(type(event)) or _plan(type(event))
    entity = _entity(state, event, name, kind, _text(event.originator_id))[1]
    award = str(getattr(event, "award_id", "") or (_paid_award(event, name) if kind == PAYMENT else ""))
    amount = amount_of(event)
    state.put(
        TRAIL,
        (position,),
        event=name,
        entity=entity,
        award=award,
        decided=decision_day(event) if isinstance(getattr(event, "by", None), Provenance) else "",
        clause=clause_of(event),
        amount_fen=to_fen(amount) if amount is not None else None,
    )
