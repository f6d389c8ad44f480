"""Registering parties and their dated qualifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.aliases import party_kind as kind_code
from domain.enterprise import KINDS, Enterprise
from domain.ids import party_id
from domain.messages import N_, Message
from domain.provenance import Provenance
from domain.qualifications import resolve as resolve_qualification
from ledger.commands import Command, Outcome, handles
from ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class RegisterParty(Command):
    kind = "party.register"
    code: str
    name: str
    party_kind: str
    entered: date

    def __post_init__(self) -> None:
        # 企业 and enterprise are the same request; an unknown word is kept and refused by the handler
        object.__setattr__(self, "party_kind", kind_code(self.party_kind) or self.party_kind)


@dataclass(frozen=True, kw_only=True)
class GrantQualification(Command):
    kind = "party.qualify"
    code: str
    qualification: str
    level: str = ""
    granted_on: date
    expires_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class ExpireQualification(Command):
    kind = "party.expire"
    code: str
    qualification: str
    level: str = ""
    ended_on: date


@handles(RegisterParty)
def register_party(uow: UnitOfWork, cmd: RegisterParty, by: Provenance) -> Outcome:
    party = Enterprise.register(by, cmd.code, cmd.name, cmd.party_kind, cmd.entered)
    uow.add(party, f"party {cmd.code}")
    return Outcome(
        cmd.request_id,
        Message(N_("registered party {code} {name} ({kinds}), entered {entered}"), code=cmd.code, name=cmd.name, kinds=KINDS[cmd.party_kind], entered=cmd.entered),
        data={"party": cmd.code, "kind": cmd.party_kind},
    )


@handles(GrantQualification)
def grant_qualification(uow: UnitOfWork, cmd: GrantQualification, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.code), f"party {cmd.code}")
    kind, level = resolve_qualification(cmd.qualification, cmd.level)  # the fixed vocabulary only
    party.qualify(by, kind.zh, level, cmd.granted_on, cmd.expires_on)
    until = Message(N_(" until {expires}"), expires=cmd.expires_on) if cmd.expires_on else ""
    held = Message(N_("party {code} holds {qualification} {level} from {granted}{until}"), code=cmd.code,
                   qualification=kind.zh, level=Message(level), granted=cmd.granted_on, until=until)
    return Outcome(cmd.request_id, held, data={"party": cmd.code, "qualification": kind.zh, "level": level})


@handles(ExpireQualification)
def expire_qualification(uow: UnitOfWork, cmd: ExpireQualification, by: Provenance) -> Outcome:
    party = uow.get(Enterprise, party_id(cmd.code), f"party {cmd.code}")
    name = cmd.qualification
    if not any(q.name == name for q in party.qualifications):  # a recorded name ends as recorded
        name = resolve_qualification(name, cmd.level)[0].zh
    level = cmd.level
    current = {q.level for q in party.qualifications if q.name == name and q.ended_on is None}
    if not level and len(current) == 1:  # the one level it is held at
        level = current.pop()
    party.expire_qualification(by, name, level, cmd.ended_on)
    return Outcome(cmd.request_id, Message(N_("party {code}: {qualification} {level} ended {ended_on}"), code=cmd.code, qualification=cmd.qualification, level=Message(cmd.level) if cmd.level else "", ended_on=cmd.ended_on),
                   data={"party": cmd.code, "qualification": cmd.qualification, "ended_on": cmd.ended_on})
