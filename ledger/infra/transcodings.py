"""Transcodings for what the default JSON transcoder lacks: dates and provenance."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)

from domain.provenance import Provenance


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ProvenanceAsDict(Transcoding):
    type = Provenance
    name = "provenance"

    def encode(self, obj: Provenance) -> dict[str, Any]:
        return {
            "actor": obj.actor,
            "recorded_at": obj.recorded_at,
            "decided": obj.decided,
            "request_id": obj.request_id,
            "ref": obj.ref,
        }

    def decode(self, data: dict[str, Any]) -> Provenance:
        return Provenance(**data)


def _provenance(data: dict[str, Any]) -> Provenance:
    return Provenance(**data)


# what each transcoding's decode does, as one plain function (no method lookup per value)
DIRECT: dict[type, Callable[[Any], Any]] = {
    UUIDAsHex: UUID, DecimalAsStr: Decimal, DatetimeAsISO: datetime.fromisoformat,
    DateAsISO: date.fromisoformat, ProvenanceAsDict: _provenance,
}


class LedgerTranscoder(JSONTranscoder):
    """The library's JSON transcoder with a quicker decoding hook: the hook runs for every
    JSON object of every event read (seven per event), so it goes straight to the decoding
    function of the type named; the result, and every refusal, is the library's."""

    def __init__(self) -> None:
        super().__init__()
        self._direct: dict[str, Callable[[Any], Any]] = {}
        self.decoder = json.JSONDecoder(object_hook=self._hook)

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._direct[transcoding.name] = DIRECT.get(type(transcoding), transcoding.decode)

    def _hook(self, d: dict[str, Any]) -> Any:
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            decode = self._direct.get(d["_type_"])
            if decode is None:
                return self._decode_obj(d)  # the library's refusal of an unknown type
            return decode(d["_data_"])
        return d
