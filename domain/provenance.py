"""Who recorded a fact, when, on which decision, under which request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Provenance:
    """Carried by every event: the auditor's who, when and why."""

    actor: str
    recorded_at: datetime
    decided: date
    request_id: str
    ref: str = ""

    @property
    def fiscal_year(self) -> int:
        return self.decided.year
