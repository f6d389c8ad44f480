"""P5.6: who bears a principal loss on an enrolled tech loan, exact to the fen.

P5.6a (科技成果转化类贷款): province 35 %, city 35 %, lending bank 30 %.
P5.6b (早期、初创期科技型企业研发类信用贷款): province + city together at most 90 % (how the
90 % divides is a parameter, default 45 % / 45 %), the bank bearing the rest.

Rounding (CLAUSES.md): the province's and the city's shares are each rounded half-up to the
fen; the bank's share is the loss minus both, so the three always add up to the loss. Under
P5.6b the public total may reach, never exceed, 90 % of the loss rounded down to the fen
("最高可达 90%"): a fen over it after rounding comes off the city's share (docs/decisions.md).
Recoveries after compensation go back to each bearer pro rata to what it still bears.
Pure rules: no I/O; the parameter book is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from domain.errors import CapExceeded, InvalidAmount, Refused
from domain.journal import CITY, PROVINCE
from domain.messages import N_, Message
from domain.money import FEN, ZERO, fmt, pro_rata, round_fen, yuan
from domain.parameters import Parameter, ParameterBook, parameter_book

BANK = "bank"
BEARERS = (PROVINCE, CITY, BANK)  # the bank last: it takes the rounding remainder
CATEGORIES = {
    "P5.6a": "科技成果转化类贷款",
    "P5.6b": "早期、初创期科技型企业研发类信用贷款",
}
LOSS_BASES = {"principal": "本金"}
REFUSED_BASES = {"interest": "利息", "fees": "费用", "penalty": "罚息"}


@dataclass(frozen=True)
class Split:
    """The shares of one principal loss and how they were found."""

    clause: str
    loss: Decimal
    province: Decimal
    city: Decimal
    bank: Decimal
    province_rate: Decimal
    city_rate: Decimal
    trace: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)

    @property
    def shares(self) -> dict[str, Decimal]:
        """Bearer → share, in the order 省财政, 市财政, bank."""
        return {PROVINCE: self.province, CITY: self.city, BANK: self.bank}

    @property
    def public(self) -> Decimal:
        return self.province + self.city


@dataclass(frozen=True)
class RecoveryReturn:
    """How one recovery is returned to the bearers of the loss."""

    clause: str
    amount: Decimal
    parts: dict[str, Decimal]
    trace: list[str] = field(default_factory=list)


def check_basis(basis: str) -> None:
    """P5.6 compensates principal only: interest, fees and penalties are no loss basis."""
    key = basis.strip().lower()
    if key in LOSS_BASES or key == "本金":
        return
    if key in REFUSED_BASES or key in REFUSED_BASES.values():
        raise Refused(N_("P5.6: compensation covers principal (本金) losses only; {basis!r} is not a loss basis"), basis=basis)
    raise Refused(N_("P5.6: unknown loss basis {basis!r} (only 'principal' is compensated)"), basis=basis)


def percent(rate: Decimal) -> str:
    """0.35 → '35%', 0.455 → '45.5%' (for traces)."""
    return f"{(rate * 100).normalize():f}%"


def compensation_split(
    category: str,
    loss: Decimal,
    on: date,
    book: ParameterBook | None = None,
    *,
    province_rate: Decimal | None = None,
    city_rate: Decimal | None = None,
    basis: str = "principal",
) -> Split:
    """Split a principal ``loss`` under ``category`` (P5.6a or P5.6b) with the parameters in
    force on ``on``. P5.6b may be given its own province/city rates (within the 90 % ceiling);
    P5.6a's are fixed by the notice."""
    check_basis(basis)
    if category not in CATEGORIES:
        raise Refused(N_("P5.6: loan category must be one of {categories}, not {category!r}"), categories=', '.join(CATEGORIES), category=category)
    loss = yuan(loss)
    if loss <= 0:
        raise InvalidAmount(N_("{category}: a principal loss must be positive, not {loss}"), category=category, loss=fmt(loss))
    book = book or parameter_book()
    used: list[Parameter] = []

    def param(name: str) -> Decimal:
        p = book.at(category, name, on)
        used.append(p)
        return Decimal(p.value)

    overridden = province_rate is not None or city_rate is not None
    extra: list[str] = []
    ceiling_amount: Decimal | None = None
    if category == "P5.6a":
        pr, cr, br = param("province_share"), param("city_share"), param("bank_share")
        if pr + cr + br != 1:
            raise ValueError(Message(N_("P5.6a parameters do not add up to 100%: {pr} + {cr} + {br}"), pr=pr, cr=cr, br=br))
        if overridden and (province_rate, city_rate) != (pr, cr):
            raise Refused(N_("P5.6a: the shares are fixed by the notice at {percent} / {percent2} / {percent3}; they cannot be changed per loss"), percent=percent(pr), percent2=percent(cr), percent3=percent(br))
    else:
        ceiling = param("public_share_max")
        if overridden:
            if province_rate is None or city_rate is None:
                raise Refused(N_("P5.6b: give both the province and the city rate, or neither"))
            pr, cr = Decimal(province_rate), Decimal(city_rate)
        else:
            pr, cr = param("province_share"), param("city_share")
        if pr < 0 or cr < 0:
            raise Refused(N_("P5.6b: a share rate cannot be negative"))
        if pr + cr > ceiling:
            raise CapExceeded(N_("P5.6b: province {percent} + city {percent2} = {percent3} exceeds the {percent4} ceiling (最高可达 {percent4})"), percent=percent(pr), percent2=percent(cr), percent3=percent(pr + cr), percent4=percent(ceiling))
        extra.append(Message(N_("P5.6b: province + city {percent} of the loss, within the {percent2} ceiling; the bank bears the rest"), percent=percent(pr + cr), percent2=percent(ceiling)))
        # "最高可达 90%": the public total never exceeds 90 % of the loss, rounded down to the fen
        ceiling_amount = (ceiling * loss).quantize(FEN, rounding=ROUND_DOWN)
    province = round_fen(pr * loss)
    city = round_fen(cr * loss)
    rounded = Message(N_("{province_rate} × {loss} = {province} ({province_name}); {city_rate} × {loss} = {city} ({city_name})"),
                      province_rate=percent(pr), loss=fmt(loss), province=fmt(province), province_name=PROVINCE,
                      city_rate=percent(cr), city=fmt(city), city_name=CITY)
    if ceiling_amount is not None and province + city > ceiling_amount:
        excess = province + city - ceiling_amount
        off_city = min(excess, city)
        city -= off_city
        province -= excess - off_city
        taken: str = Message(N_("{off_city} off {city}'s share → {city2}"), off_city=fmt(off_city), city=CITY, city2=fmt(city))
        if excess > off_city:
            taken += Message(N_(", {value} off {province}'s share → {province2}"), value=fmt(excess - off_city), province=PROVINCE, province2=fmt(province))
        extra.insert(0, (
            Message(N_("P5.6b ceiling: {value} rounded half-up exceeds {percent} × {loss} = {ceiling_amount} (rounded down to the fen) by {excess}: {taken}; the bank bears it"), value=fmt(province + city + excess), percent=percent(ceiling), loss=fmt(loss), ceiling_amount=fmt(ceiling_amount), excess=fmt(excess), taken=taken)
        ))
    bank = loss - province - city
    line = Message(N_("{category}: {rounded}; bank {loss} − {value} = {bank}"), category=category, rounded=rounded, loss=fmt(loss), value=fmt(province + city), bank=fmt(bank))
    return Split(
        clause=category, loss=loss, province=province, city=city, bank=bank,
        province_rate=pr, city_rate=cr, trace=[line, *extra], versions=[p.version for p in used],
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
    formula.append(
        f"{BANK} {fmt(total)} − " + " − ".join(fmt(target[k]) for k in public)
        + Message(N_(" = {target} (the remainder), less {before} returned before = {value}"), target=fmt(target[BANK]), before=fmt(before[BANK]), value=fmt(target[BANK] - before[BANK]))
    )
    trace = [
        Message(N_("{clause}: recovered {total} in all ({recovered} before + {amount} now); each bearer's share of it, pro rata to the {loss} loss each bore, rounded half-up to the fen, less what was returned before: "), clause=clause, total=fmt(total), recovered=fmt(recovered), amount=fmt(amount), loss=fmt(loss)) + "; ".join(formula)
    ]
    if moves:
        trace.append(
            Message(N_("{clause}: kept within what each bearer bears: "), clause=clause) + "; ".join(moves)
            + Message(N_(" → now ")) + ", ".join(f"{k} {fmt(parts[k])}" for k in BEARERS)
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
