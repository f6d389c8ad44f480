"""Which moment a view speaks of: as of a date, after a log position, or everything recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.messages import N_, Message


@dataclass(frozen=True)
class Moment:
    """(None, None): everything recorded; ``log_position``: where the rows were built."""

    as_of: date | None
    at_position: int | None
    log_position: int

    def words(self) -> Message:
        if self.as_of is not None and self.at_position is not None:
            said = Message(N_("as of {as_of}, after position {at_position}"), as_of=self.as_of,
                           at_position=self.at_position)
        elif self.as_of is not None:
            said = Message(N_("as of {as_of}"), as_of=self.as_of)
        elif self.at_position is not None:
            said = Message(N_("after position {at_position}"), at_position=self.at_position)
        else:
            said = Message(N_("everything recorded"))
        return Message(N_("{moment}; log position {position}"), moment=said, position=self.log_position)
