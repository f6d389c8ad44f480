"""Transcodings for what the default JSON transcoder lacks: dates and provenance."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding

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
