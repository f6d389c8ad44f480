"""What each rule reads and which parameters it uses, in words: `jcg policy show` and docs/rules.md
(generated from the code; the rules live in domain/rules/, their words here)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from domain.aliases import BASIS_WORDS, basis_label
from domain.clauses import catalogue
from domain.enterprise import KINDS
from domain.messages import N_, Message
from domain.parameters import Parameter, ParameterBook, parameter_book, payer
from domain.rules.basis import Key
from domain.rules.engine import RULES, SPLIT

# the kinds of basis keys, shown in the officer's language
KEY_KINDS = (N_("yuan"), N_("subject"), N_("date"), N_("party"), N_("percent"), N_("m2"), N_("count"), N_("text"),
             N_("year"), N_("yesno"))
UNITS = (N_("rate"), N_("years"))  # the rule book's units (the others are kinds above), in refusals too


def show_value(p: Parameter) -> Message:
    if p.unit == "rate":
        return Message(f"{(p.value * 100).normalize():f}%")
    if p.unit == "yuan":
        return Message(N_("{amount} yuan"), amount=f"{p.value:,.2f}")
    if p.unit == "years":
        return Message(N_("{value} years"), value=p.value)
    if p.unit == "count":
        return Message(N_("{value} count"), value=p.value)
    if p.unit == "m2":
        return Message(N_("{value} m2"), value=p.value)
    return Message(str(p.value))


def _rule_text(clause_id: str) -> Message:
    rule = RULES.get(clause_id)
    if rule is not None:
        return Message(_doc(rule.body.__doc__) or "—")
    return Message(N_("no money rule"))


def _doc(docstring: str | None) -> str:
    return " ".join((docstring or "").split())


def key_line(k: Key) -> Message:
    """One basis key: its code (its Chinese label in Chinese), kind and meaning; the English is
    ``Key.describe()``. A choice's words are shown as officers may type them in Chinese."""
    label, meaning = basis_label(k.name), Message(k.meaning)
    if k.kind == "choice":
        msgid = N_("  {name} ({kind}, optional): {meaning}") if not k.required else N_("  {name} ({kind}): {meaning}")
        return Message(msgid, name=k.name, name_label=label, kind="|".join(k.choices),
                       kind_labels="|".join(basis_label(c, BASIS_WORDS) for c in k.choices), meaning=meaning)
    msgid = N_("  {name} ({kind_word}, optional): {meaning}") if not k.required else N_("  {name} ({kind_word}): {meaning}")
    return Message(msgid, name=k.name, name_label=label, kind_word=Message(k.kind), meaning=meaning)


def describe(clause_id: str, book: ParameterBook) -> list[Message]:
    """The lines of `jcg policy show CLAUSE` (and of its docs/rules.md section, in English), all from
    the code: the rule's own docstring, its keys, matter shape, flags and readings, and the rule book.
    Each line is a Message (its str is the English); the rules' own sentences are message ids too
    (:func:`texts`)."""
    c = catalogue()[clause_id]
    source, unit = payer(book, clause_id, date.max)
    lines = [Message(N_("{clause}  {title}"), clause=c.id, title=c.title),
             Message(N_("rule: {rule}"), rule=_rule_text(clause_id)),
             Message(N_("责任单位: {units}"), units="、".join(c.units)),
             Message(N_("paid by: {source}, booked to {unit}"), source=source, unit=unit)]
    rule = RULES.get(clause_id)
    if rule is not None and rule.kind == SPLIT:
        lines.append(Message(N_("amount: a loss split (the province's and the city's shares rounded half-up to the "
                                "fen, the bank bears the remainder); `jcg policy calc` shows it, `jcg loan claim` "
                                "records it on the loan")))
        lines.append(Message(N_("borne by: 省财政, 市财政 and the lending bank (party kind {kinds}), which bears the "
                                "remainder"), kinds=", ".join(f"{k} {KINDS[k]}" for k in rule.kinds),
                             kinds_labels="、".join(KINDS[k] for k in rule.kinds)))
        lines += [Message(N_("reading: {reading}"), reading=Message(r)) for r in rule.readings]
        lines.append(Message(N_("basis keys:")))
        lines += [key_line(k) for k in rule.keys]
    elif rule is not None:
        lines.append(Message(N_("amount: decided by the officer (--amount) within the clause's floor/cap")) if rule.decided
                     else Message(N_("amount: computed by formula (an --amount must equal it)")))
        if rule.needs_reason:
            lines.append(Message(N_("needs: --ref (decision reference) and --reason (一事一议)")))
        if rule.kinds:
            lines.append(Message(N_("recipient: {kinds}"), kinds=", ".join(f"{k} ({KINDS[k]})" for k in rule.kinds),
                                 kinds_labels="、".join(KINDS[k] for k in rule.kinds)))
        if rule.matter_note:
            lines.append(Message(N_("G.3 matter key: {note}"), note=Message(rule.matter_note)))
        if rule.shared:
            lines.append(Message(N_("subject across recipients: {subject} (one subject aggregate: two officers awarding "
                                    "on it at once conflict, the second is re-evaluated)"),
                                 subject=f"{rule.subject_family}:<{rule.shared}>",
                                 subject_label=f"{rule.subject_family}:<{basis_label(rule.shared)}>"))
        if rule.once:
            lines.append(Message(N_("one-time (一次性): a second award on the matter is refused, not paid as a G.3 "
                                    "difference; a fully clawed-back award does not count")))
        if rule.year_final:
            lines.append(Message(N_("year-final: the annual cap of the year the matter was first awarded is final; "
                                    "another year cannot top the matter up (same-year top-ups pay the difference "
                                    "within that year's cap)")))
        if book.has(clause_id, "annual_cap"):
            lines.append(Message(N_("annual cap: used = this calendar year's awards net of clawbacks (a clawback gives "
                                    "the room back, so a wrong award can be clawed back and awarded again)")))
        if rule.counted:
            lines.append(Message(N_("count cap: enforced on the clause-year counter")))
        lines += [Message(N_("reading: {reading}"), reading=Message(r)) for r in rule.readings]
        lines.append(Message(N_("basis keys:")) if rule.keys else Message(N_("basis keys: none")))
        lines += [key_line(k) for k in rule.keys]
    else:
        lines.append(Message(N_("amount: no money rule")))
    versions = book.versions(clause_id)
    if versions:
        lines.append(Message(N_("parameters:")))
        for p in versions:
            edition = Message(N_("; revised by {actor}, {ref}"), actor=p.revised_by, ref=p.ref) if p.revised_by else ""
            lines.append(Message(N_("  {name} = {value}  (valid from {valid_from}; {version}{edition})"), name=p.name,
                                 name_label=f"{clause_id}.{p.name}", value=show_value(p), valid_from=p.valid_from,
                                 version=p.version, edition=edition))
            lines.append(Message(N_("    「{quote}」"), quote=p.quote))
            if p.reading:
                lines.append(Message(N_("    reading: {reading}"), reading=Message(p.reading)))
    return lines


def texts() -> Iterator[str]:
    """The rules' own English sentences `policy show` and `policy list` print (docstrings, readings,
    key meanings, matter notes, the first edition's parameter readings, the clauses' amount and cap
    rules): message ids the catalogue extracts (i18n/catalogue.py), as it does the CLI's help."""
    for rule in RULES.values():
        yield _doc(rule.body.__doc__)
        yield from rule.readings
        yield from (k.meaning for k in rule.keys)
        if rule.matter_note:
            yield rule.matter_note
    book = parameter_book()
    for c in catalogue().values():
        if c.money:
            yield c.rule
            if c.cap:
                yield c.cap
        for p in book.versions(c.id):
            if p.reading:
                yield p.reading


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
