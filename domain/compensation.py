"""P5.6: the bearers of a principal loss on an enrolled tech loan, what counts as a loss, and
recoveries after compensation, exact to the fen.

The split itself (P5.6a 35/35/30, P5.6b at most 90 % public) is a rule of the engine
(``@loss_split`` in domain/rules/p5.py). Recoveries after compensation go back to each bearer
pro rata to the share it bore. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domain.errors import CapExceeded, InvalidAmount, Refused
from domain.journal import CITY, PROVINCE
from domain.messages import N_, Message
from domain.money import FEN, ZERO, fmt, pro_rata, yuan

BANK = "bank"
BEARERS = (PROVINCE, CITY, BANK)  # the bank last: it takes the rounding remainder
CATEGORIES = {
    "P5.6a": "科技成果转化类贷款",
    "P5.6b": "早期、初创期科技型企业研发类信用贷款",
}
LOSS_BASES = {"principal": "本金"}
REFUSED_BASES = {"interest": "利息", "fees": "费用", "penalty": "罚息"}


@dataclass(frozen=True)
class RecoveryReturn:
    """How one recovery is returned to the bearers of the loss."""

    clause: str
    amount: Decimal
    parts: dict[str, Decimal]
    trace: list[str] = field(default_factory=list)


def basis_code(basis: str) -> str:
    """A loss basis typed in Chinese (``本金``, ``利息`` …) as its code; anything else as typed."""
    value = basis.strip()
    return {label: code for code, label in (LOSS_BASES | REFUSED_BASES).items()}.get(value, value)


def check_basis(basis: str) -> None:
    """P5.6 compensates principal only: interest, fees and penalties are no loss basis."""
    key = basis.strip().lower()
    if key in LOSS_BASES or key == "本金":
        return
    if key in REFUSED_BASES or key in REFUSED_BASES.values():
        raise Refused(N_("P5.6: compensation covers principal (本金) losses only; '{basis}' is not a loss basis"), basis=basis,
                      basis_label=REFUSED_BASES.get(key, basis))
    raise Refused(N_("P5.6: unknown loss basis {basis!r} (only 'principal' is compensated)"), basis=basis)


# Message ids of the split traces recorded before the split became a rule of the engine
# (domain/rules/split.py): claims recorded then keep their trace, still read in Chinese.
EARLIER_TRACES = (
    N_("{category}: {rounded}; bank {loss} − {value} = {bank}"),
    N_("{province_rate} × {loss} = {province} ({province_name}); {city_rate} × {loss} = {city} ({city_name})"),
    N_("P5.6b: province + city {percent} of the loss, within the {percent2} ceiling; the bank bears the rest"),
    N_("P5.6b ceiling: {value} rounded half-up exceeds {percent} × {loss} = {ceiling_amount} (rounded down to the fen) by {excess}: {taken}; the bank bears it"),
)


def recovery_return(
    clause: str, amount: Decimal, borne: Mapping[str, Decimal], returned: Mapping[str, Decimal]
) -> RecoveryReturn:
    """Return a recovery to the bearers pro rata to the share each bore (``borne``).

    Worked on the cumulative recovery: after this one, each bearer has had back its share of
    everything recovered so far (half-up to the fen, the bank taking the remainder), less what
    earlier recoveries already returned. So rounding never accumulates over many recoveries,
    the parts add up exactly to ``amount``, no bearer gets back more than it bore, and
    recovering the whole loss gives each bearer back exactly its share."""
    amount = yuan(amount)
    if amount <= 0:
        raise InvalidAmount(N_("{clause}: a recovery must be positive, not {amount}"), clause=clause, amount=fmt(amount))
    shares = {k: yuan(borne.get(k, ZERO)) for k in BEARERS}
    before = {k: yuan(returned.get(k, ZERO)) for k in BEARERS}
    loss = sum(shares.values(), ZERO)
    recovered = sum(before.values(), ZERO)
    outstanding = loss - recovered
    if amount > outstanding:
        raise CapExceeded(N_("{clause}: recovery {amount} is larger than the loss still outstanding ({outstanding})"), clause=clause, amount=fmt(amount), outstanding=fmt(outstanding))
    total = recovered + amount
    target = dict(zip(BEARERS, pro_rata(total, [shares[k] for k in BEARERS]), strict=True))
    parts = {k: target[k] - before[k] for k in BEARERS}
    moves = _keep_within(parts, {k: shares[k] - before[k] for k in BEARERS})
    public = [k for k in BEARERS if k != BANK]
    formula: list[str] = [
        Message(N_("{k} {total} × {shares} / {loss} → {target}, less {before} returned before = {value}"), k=k, total=fmt(total), shares=fmt(shares[k]), loss=fmt(loss), target=fmt(target[k]), before=fmt(before[k]), value=fmt(target[k] - before[k]))
        for k in public
    ]
    formula.append(Message(
        N_("{bearer} {total} − {public} = {target} (the remainder), less {before} returned before = {value}"),
        bearer=Message(BANK), total=fmt(total), public=" − ".join(fmt(target[k]) for k in public),
        target=fmt(target[BANK]), before=fmt(before[BANK]), value=fmt(target[BANK] - before[BANK])))
    trace: list[str] = [
        Message(N_("{clause}: recovered {total} in all ({recovered} before + {amount} now); each bearer's share of it, pro rata to the {loss} loss each bore, rounded half-up to the fen, less what was returned before: {steps}"), clause=clause, total=fmt(total), recovered=fmt(recovered), amount=fmt(amount), loss=fmt(loss), steps=formula)
    ]
    if moves:
        trace.append(
            Message(N_("{clause}: kept within what each bearer bears: {steps} → now {parts}"), clause=clause, steps=moves,
                    parts=", ".join(f"{k} {fmt(parts[k])}" for k in BEARERS))
        )
    return RecoveryReturn(clause=clause, amount=amount, parts=parts, trace=trace)


def _keep_within(parts: dict[str, Decimal], room: Mapping[str, Decimal]) -> list[str]:
    """Keep each part within [0, what the bearer still bears] by moving single fen between
    bearers; needed only at the edges (a recovery of a few fen, or one that nearly completes
    the loss), where rounding the cumulative targets could ask a bearer to give a fen back."""
    moves: list[str] = []
    for k in BEARERS:
        while parts[k] > room[k]:
            j = next(j for j in BEARERS if parts[j] < room[j])
            parts[k] -= FEN
            parts[j] += FEN
            moves.append(Message(N_("0.01 from {k} to {j} ({k} would get back more than it still bears)"), k=k, j=j))
        while parts[k] < 0:
            j = next(j for j in BEARERS if j != k and parts[j] > 0)
            parts[j] -= FEN
            parts[k] += FEN
            moves.append(Message(N_("0.01 from {j} to {k} ({k} would give money back)"), j=j, k=k))
    return moves
