"""`party show`, `grant show` (a party as ledger.queries.get_party returns it, its awards as one
table) and `party list` (the parties read model)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.clauses import clause as find_clause
from domain.enterprise import KINDS, Enterprise
from domain.messages import N_, Message
from domain.money import fmt
from i18n import text
from projections.tables import Col, terminal_width, text_table


def party_lines(p: Enterprise) -> list[str]:
    """What `jcg party show` prints: the party, its dated qualifications, its awards."""
    lines = [Message(N_("{code}  {name}  ({kind}, entered {entered})"), code=p.code, name=p.name, kind=KINDS[p.kind],
                     entered=p.entered)]
    for q in p.qualifications:
        if q.ended_on:
            lines.append(Message(N_("  qualification: {name} {level} from {granted}, ended {ended}"), name=q.name,
                                 level=Message(q.level) if q.level else "", granted=q.granted_on, ended=q.ended_on))
        elif q.expires_on:
            lines.append(Message(N_("  qualification: {name} {level} from {granted}, expires {expires}"), name=q.name,
                                 level=Message(q.level) if q.level else "", granted=q.granted_on, expires=q.expires_on))
        else:
            lines.append(Message(N_("  qualification: {name} {level} from {granted}"), name=q.name, level=Message(q.level) if q.level else "",
                                 granted=q.granted_on))
    return [text(line) for line in lines] + award_lines(p)


AWARDS = (Col("award"), Col("clause"), Col("title"), Col("decided"), Col("awarded", money=True),
          Col("disbursed", money=True), Col("clawed_back", money=True))


def award_lines(p: Enterprise) -> list[str]:
    """What `jcg grant show` prints: the party's awards as one table, then the totals."""
    rows = [[a.award_id, a.clause, find_clause(a.clause).title, a.decided, a.amount, a.disbursed, a.clawed_back]
            for a in p.awards.values()]
    lines = text_table(AWARDS, rows, rule=False, indent="  ", max_width=terminal_width()).splitlines() if rows else []
    t = p.totals()
    lines.append("  " + text(Message(N_("total awarded {awarded}, disbursed {disbursed}, clawed back {clawed_back}, "
                                        "outstanding {outstanding}"), awarded=fmt(t["awarded"]),
                                     disbursed=fmt(t["disbursed"]), clawed_back=fmt(t["clawed_back"]),
                                     outstanding=fmt(t["outstanding"]))))
    return lines


PARTIES = (Col("code"), Col("kind"), Col("entered"), Col("name"))


def parties_list(rows: list[dict[str, Any]]) -> list[str]:
    """What `jcg party list` prints: every registered party (code, kind in Chinese, entry date, name)."""
    table = [[r["code"], KINDS.get(r["kind"], r["kind"]), _day(r["entered"]), r["name"]] for r in rows]
    return text_table(PARTIES, table, rule=False, max_width=terminal_width()).splitlines()


def _day(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) and value else value
