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


PROVENANCE_FIELDS = frozenset(("actor", "recorded_at", "decided", "request_id", "ref"))


def _provenance(data: dict[str, Any]) -> Provenance:
    """``Provenance(**data)``: with every field given (as recorded), the instance takes the
    decoded dict as its attributes, as the library's mapper does for events (a frozen
    dataclass's ``__init__`` sets each field through ``object.__setattr__``: a sixth of an
    event's decoding); else the dataclass's own ``__init__`` (its defaults and refusals)."""
    if data.keys() != PROVENANCE_FIELDS:
        return Provenance(**data)
    made = object.__new__(Provenance)
    object.__setattr__(made, "__dict__", data)
    return made


# what each transcoding's decode does, as one plain function (no method lookup per value)
DIRECT: dict[type, Callable[[Any], Any]] = {
    UUIDAsHex: UUID, DecimalAsStr: Decimal, DatetimeAsISO: datetime.fromisoformat,
    DateAsISO: date.fromisoformat, ProvenanceAsDict: _provenance,
}


class LedgerTranscoder(JSONTranscoder):
    """The library's JSON transcoder with a quicker decoding: the hook runs for every JSON
    object of every event read (seven per event), so it goes straight to the decoding
    function of the type named, and a document is scanned at once (the decoder's whitespace
    and trailing-data checks only when the scan does not end the document: a recorded event
    has neither); the result, and every refusal, is the library's."""

    def __init__(self) -> None:
        super().__init__()
        self._direct: dict[str, Callable[[Any], Any]] = {}
        self.decoder = json.JSONDecoder(object_hook=_hook(self._direct, self._decode_obj))
        self._scan: Callable[[str, int], tuple[Any, int]] = self.decoder.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder, not in its stub

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._direct[transcoding.name] = DIRECT.get(type(transcoding), transcoding.decode)

    def decode(self, data: bytes) -> Any:
        text = data.decode("utf8")
        try:
            found, end = self._scan(text, 0)
        except StopIteration:
            return self.decoder.decode(text)  # the decoder's own refusal (or leading whitespace)
        return found if end == len(text) else self.decoder.decode(text)


def _hook(direct: dict[str, Callable[[Any], Any]], library: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
    """The decoding hook over ``direct`` (type name -> decoding function); an unknown type
    goes to the ``library``'s hook, which refuses it."""

    def hook(d: dict[str, Any]) -> Any:
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            decode = direct.get(d["_type_"])
            if decode is None:
                return library(d)
            return decode(d["_data_"])
        return d

    return hook
