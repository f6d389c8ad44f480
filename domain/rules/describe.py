"""What each rule reads and which parameters it uses, in words: `jcg policy show` and docs/rules.md."""

from __future__ import annotations

from domain.clauses import catalogue
from domain.enterprise import KINDS
from domain.parameters import Parameter, ParameterBook
from domain.rules.engine import LOSS_SPLITS, RULES

LOSS_KEYS = (
    "loss (yuan): the principal loss after the bank exhausted recovery (本金损失)",
    "province_rate (percent, optional, P5.6b only): the province's share, with city_rate, within the 90% ceiling",
    "city_rate (percent, optional, P5.6b only): the city's share",
)


def show_value(p: Parameter) -> str:
    if p.unit == "rate":
        return f"{(p.value * 100).normalize():f}%"
    if p.unit == "yuan":
        return f"{p.value:,.2f} yuan"
    return f"{p.value} {p.unit}" if p.unit not in {"text", "date"} else str(p.value)


def describe(clause_id: str, book: ParameterBook) -> list[str]:
    """The lines of `jcg policy show CLAUSE` (and of its docs/rules.md section)."""
    c = catalogue()[clause_id]
    lines = [f"{c.id}  {c.title}", f"rule: {c.rule or '—'}", f"cap: {c.cap or '—'}",
             f"责任单位: {'、'.join(c.units)}"]
    rule = RULES.get(clause_id)
    if rule is not None:
        how = "decided by the officer (--amount) within the clause's floor/cap" if rule.decided else (
            "computed by formula (an --amount must equal it)")
        lines.append(f"amount: {how}")
        if rule.needs_reason:
            lines.append("needs: --ref (decision reference) and --reason (一事一议)")
        if rule.kinds:
            lines.append("recipient: " + ", ".join(f"{k} ({KINDS[k]})" for k in rule.kinds))
        if rule.matter_note:
            lines.append(f"G.3 matter key: {rule.matter_note}")
        if rule.once:
            lines.append("one-time (一次性): a second award on the matter is refused, not paid as a G.3 difference; "
                         "a fully clawed-back award does not count")
        if rule.year_final:
            lines.append("year-final: the annual cap of the year the matter was first awarded is final; "
                         "another year cannot top the matter up (same-year top-ups pay the difference within "
                         "that year's cap)")
        if book.has(clause_id, "annual_cap"):
            lines.append("annual cap: used = this calendar year's awards net of clawbacks (a clawback gives the "
                         "room back, so a wrong award can be clawed back and awarded again)")
        if rule.counted:
            lines.append("count cap: enforced on the clause-year counter")
        lines.append("basis keys:" if rule.keys else "basis keys: none")
        lines += [f"  {k.describe()}" for k in rule.keys]
    elif clause_id in LOSS_SPLITS:
        lines.append("amount: a loan-loss split (domain/compensation.py); `jcg policy calc` shows it, "
                     "`jcg loan ...` records it")
        lines.append("basis keys:")
        lines += [f"  {k}" for k in LOSS_KEYS]
    else:
        lines.append("amount: no money rule")
    versions = book.versions(clause_id)
    if versions:
        lines.append("parameters:")
        for p in versions:
            lines.append(f"  {p.name} = {show_value(p)}  (valid from {p.valid_from}; {p.version})")
            lines.append(f"    「{p.quote}」")
    return lines


def reference(book: ParameterBook) -> str:
    """docs/rules.md: every money clause, its basis keys and cited parameters."""
    out = [
        "# Policy rules: basis keys and parameters",
        "",
        "Generated from the rules engine (`domain/rules/`) and the parameter files (`domain/params/`);",
        "the same text as `jcg policy show CLAUSE`. Basis keys are given as `--basis key=value`",
        "(repeat the option); amounts accept 500000, 500,000.00 or 50万; percentages 60% or 0.6.",
        "",
    ]
    for c in catalogue().values():
        if not c.money:
            continue
        lines = describe(c.id, book)
        out += [f"## {lines[0]}", "", "```", *lines[1:], "```", ""]
    return "\n".join(out)


if __name__ == "__main__":  # regenerate: .venv/bin/python -m domain.rules.describe > docs/rules.md
    from domain.parameters import parameter_book

    print(reference(parameter_book()))
