"""What each rule reads and which parameters it uses, in words: `jcg policy show` and docs/rules.md
(generated from the code; the rules live in domain/rules/, their words here)."""

from __future__ import annotations

from datetime import date

from domain.clauses import catalogue
from domain.enterprise import KINDS
from domain.parameters import Parameter, ParameterBook, payer
from domain.rules.engine import RULES, SPLIT


def show_value(p: Parameter) -> str:
    if p.unit == "rate":
        return f"{(p.value * 100).normalize():f}%"
    if p.unit == "yuan":
        return f"{p.value:,.2f} yuan"
    return f"{p.value} {p.unit}" if p.unit not in {"text", "date"} else str(p.value)


def _rule_text(clause_id: str) -> str:
    rule = RULES.get(clause_id)
    if rule is not None:
        return " ".join((rule.body.__doc__ or "").split()) or "—"
    return "no money rule"


def describe(clause_id: str, book: ParameterBook) -> list[str]:
    """The lines of `jcg policy show CLAUSE` (and of its docs/rules.md section), all from the code:
    the rule's own docstring, its keys, matter shape, flags and readings, and the rule book."""
    c = catalogue()[clause_id]
    source, unit = payer(book, clause_id, date.max)
    lines = [f"{c.id}  {c.title}", f"rule: {_rule_text(clause_id)}", f"责任单位: {'、'.join(c.units)}",
             f"paid by: {source}, booked to {unit}"]
    rule = RULES.get(clause_id)
    if rule is not None and rule.kind == SPLIT:
        lines.append("amount: a loss split (the province's and the city's shares rounded half-up to the fen, the "
                     "bank bears the remainder); `jcg policy calc` shows it, `jcg loan claim` records it on the loan")
        lines.append("borne by: 省财政, 市财政 and the lending bank (party kind "
                     + ", ".join(f"{k} {KINDS[k]}" for k in rule.kinds) + "), which bears the remainder")
        lines += [f"reading: {r}" for r in rule.readings]
        lines.append("basis keys:")
        lines += [f"  {k.describe()}" for k in rule.keys]
    elif rule is not None:
        how = "decided by the officer (--amount) within the clause's floor/cap" if rule.decided else (
            "computed by formula (an --amount must equal it)")
        lines.append(f"amount: {how}")
        if rule.needs_reason:
            lines.append("needs: --ref (decision reference) and --reason (一事一议)")
        if rule.kinds:
            lines.append("recipient: " + ", ".join(f"{k} ({KINDS[k]})" for k in rule.kinds))
        if rule.matter_note:
            lines.append(f"G.3 matter key: {rule.matter_note}")
        if rule.shared:
            lines.append(f"subject across recipients: {rule.subject_family}:<{rule.shared}> (one subject aggregate: "
                         "two officers awarding on it at once conflict, the second is re-evaluated)")
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
        lines += [f"reading: {r}" for r in rule.readings]
        lines.append("basis keys:" if rule.keys else "basis keys: none")
        lines += [f"  {k.describe()}" for k in rule.keys]
    else:
        lines.append("amount: no money rule")
    versions = book.versions(clause_id)
    if versions:
        lines.append("parameters:")
        for p in versions:
            edition = f"; revised by {p.revised_by}, {p.ref}" if p.revised_by else ""
            lines.append(f"  {p.name} = {show_value(p)}  (valid from {p.valid_from}; {p.version}{edition})")
            lines.append(f"    「{p.quote}」")
            if p.reading:
                lines.append(f"    reading: {p.reading}")
    return lines


ENGINE_READINGS = (
    "G.1: an award whose decision date is outside 2024-11-05 to 2028-12-31 is refused; an external award "
    "(another policy's decision) is not bound by this window.",
    "G.3: a matter key names the clause family and the subject; every award and external award on the same key "
    "is seen (for a subject spanning recipients, every recipient's); a second entitlement pays only the "
    "difference, an equal or lower one pays nothing.",
    "G.3 for amounts the officer decides within a cap (P2.3a, P3.2b, P4.1b): what was received on the matter, "
    "here and under other policies, uses the cap; an amount over the room left is refused, never cut.",
    "G.4: every parameter value is dated and quotes the notice verbatim; a decision uses the value in force on "
    "its decision date and records that value's version.",
    "Formula amounts are rounded half-up to the fen once; a formula amount over a cap's room is cut to the room "
    "and the trace says so.",
)


def reference(book: ParameterBook) -> str:
    """docs/rules.md: every money clause, its rule, basis keys, matter key and cited parameters,
    generated from the code (tests/test_rules_docs.py checks the file is current)."""
    out = [
        "# Policy rules: basis keys, G.3 matter keys, parameters and readings",
        "",
        "Generated from the rules engine (`domain/rules/`), the clause index (`domain/clauses.toml`) and the",
        "rule book (`domain/params/`): `.venv/bin/python -m projections.views.rules > docs/rules.md`. Do not edit",
        "by hand. The same text as `jcg policy show CLAUSE`. Basis keys are given as `--basis key=value`",
        "(repeat the option); amounts accept 500000, 500,000.00 or 50万; percentages 60% or 0.6. Every quote",
        "is verbatim from the notice (`docs/policy/linzhengbanfa-2024-34.txt`).",
        "",
        "## Readings of the engine",
        "",
        *[f"- {r}" for r in ENGINE_READINGS],
        "",
    ]
    for c in catalogue().values():
        if not c.money:
            continue
        lines = describe(c.id, book)
        out += [f"## {lines[0]}", "", "```", *lines[1:], "```", ""]
    return "\n".join(out)


if __name__ == "__main__":  # regenerate: .venv/bin/python -m projections.views.rules > docs/rules.md
    from domain.parameters import parameter_book

    print(reference(parameter_book()))
