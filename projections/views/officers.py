"""`officer list`: the roster as ledger.queries.find_roster returns it, as one table, then the
approver changes waiting for a second approver."""

from __future__ import annotations

from domain.messages import N_, Message
from domain.officer import CHANGE_WORDS, OfficerRoster
from i18n import gettext, text
from projections.tables import Col, terminal_width, text_table

# code words of the roster, shown in the officer's language (Col(words=True) and key states)
ROLES = (N_("officer"), N_("approver"), N_("auditor"))
KEY_STATES = {"active": N_("active"), "retired": N_("retired"), "revoked": N_("revoked")}

OFFICERS = (Col("name"), Col("role", words=True), Col("keys"))


def officer_lines(roster: OfficerRoster | None) -> list[str]:
    """What `jcg officer list` prints."""
    if roster is None:
        return [text(Message(N_("no officers registered: the ledger refuses every request until the first officer "
                                "registers themself (`jcg officer add NAME --role approver`, run as NAME)")))]
    rows = [[o.name, o.role, ", ".join(f"{k.key_id} {gettext(KEY_STATES.get(k.status, k.status))}" for k in o.keys)]
            for o in roster.officers.values()]
    lines = text_table(OFFICERS, rows, rule=False, max_width=terminal_width()).splitlines()
    for p in roster.pending.values():
        lines.append(text(Message(N_("{name}: {change} as {role} proposed by {proposer}, waiting for a second "
                                     "approver"), name=p.name, change=Message(CHANGE_WORDS.get(p.change, p.change)), role=Message(p.role),
                                  proposer=p.proposer)))
    return lines
