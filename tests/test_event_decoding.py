"""Every recorded event is decoded by the ledger's quicker JSON decoding
(ledger.infra.transcodings.LedgerTranscoder) into the very event the library's own decoding
makes: the same class, the same fields with the same types and representations, old-version
records upcast the same way, and the same refusals. And the read models applied only where
they do something with an event's class (projections.models.appliers) give the rows of every
model applied to every event."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from domain.project import Project
from domain.provenance import Provenance
from ledger import Ledger
from ledger.infra.transcodings import LedgerTranscoder
from projections import models
from projections.runner import _batches, differences, events, head
from tests.builders import as_version_1, record_lifecycles, record_small_history
from tests.decoding import decoded_as_the_library, exactly, library_mapper
from tests.test_readside import record_fund_history


def recorded(ledger: Ledger) -> list[StoredEvent]:
    return [n for n in ledger.recorder.select_notifications(start=1, limit=1_000_000)]


HISTORIES = {"small": (record_small_history, record_fund_history), "lifecycles": (record_lifecycles,)}


@pytest.mark.parametrize("history", sorted(HISTORIES))
def test_every_recorded_event_is_the_librarys_event(ledger: Ledger, history: str) -> None:
    assert isinstance(ledger.mapper.transcoder, LedgerTranscoder)
    for record in HISTORIES[history]:
        record(ledger)
    library = library_mapper(ledger)
    stored = recorded(ledger)
    kinds = set()
    for n in stored:
        ours, theirs = ledger.mapper.to_domain_event(n), library.to_domain_event(n)
        assert exactly(ours) == exactly(theirs), n.topic
        assert isinstance(ours.by, Provenance)
        kinds.add(n.topic)
    assert len(stored) > 40 and len(kinds) > 15
    assert decoded_as_the_library(ledger) == len(stored)


def test_old_records_are_upcast_as_the_library_upcasts_them(ledger: Ledger) -> None:
    record_lifecycles(ledger)
    library = library_mapper(ledger)
    old = []
    for _, event in events(ledger):
        if isinstance(event, Project.Converted):
            old.append(as_version_1(ledger, event, drop=("price_base",)))
        elif isinstance(event, Project.Finished):
            old.append(as_version_1(ledger, event, drop=("released", "spent", "clause", "source")))
    assert len(old) >= 2
    for stored in old:
        assert exactly(ledger.mapper.to_domain_event(stored)) == exactly(library.to_domain_event(stored))


def edited(ledger: Ledger, stored: StoredEvent, change: Any) -> StoredEvent:
    """The record with its JSON document changed by ``change`` (the plain text, unencrypted)."""
    text = change(ledger.mapper.transcoder.encode(ledger.mapper.transcoder.decode(stored.state)).decode())
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, text.encode())


@pytest.mark.parametrize("change", [
    lambda t: " " + t + "\n",  # whitespace around the document: the decoder's own path
    lambda t: re.sub(r',"ref":"[^"]*"', "", t, count=1),  # a provenance without its ref (the default)
    lambda t: re.sub(r',"ref":"[^"]*"', ',"x":""', t, count=1),  # a field Provenance does not have: refused
])
def test_unusual_documents_decode_as_the_librarys(ledger: Ledger, change: Any) -> None:
    record_small_history(ledger)
    library = library_mapper(ledger)
    first = recorded(ledger)[0]
    if ledger.mapper.cipher is not None:
        pytest.skip("the documents are edited as plain text")
    stored = edited(ledger, first, change)
    assert stored.state != first.state or change(" ").strip() == ""
    try:
        theirs = library.to_domain_event(stored)
    except Exception as refused:
        with pytest.raises(type(refused)):
            ledger.mapper.to_domain_event(stored)
        return
    assert exactly(ledger.mapper.to_domain_event(stored)) == exactly(theirs)


@pytest.mark.parametrize("document", [
    '{"a":{"_type_":"nothing_known","_data_":1}}',  # an unknown type: the library's refusal
    '{"a":1} x',  # trailing data
    '{"a":',  # cut short
    '{"a":{"_type_":"decimal_str","_data_":"1.10"},"b":{"_type_":"x"},"c":[{"_type_":"date_iso","_data_":"2025-01-02"}]}',
    '{"by":{"_type_":"provenance","_data_":{"actor":"a","recorded_at":{"_type_":"datetime_iso",'
    '"_data_":"2026-01-01T00:00:00+00:00"},"decided":{"_type_":"date_iso","_data_":"2025-01-02"},'
    '"request_id":"r","ref":"","extra":1}}}',  # a provenance with a field it does not have: refused
    '{"n":NaN,"i":123456789012345678901234567890,"s":"\\ud800"}',
])
def test_documents_decode_and_are_refused_as_by_the_library(ledger: Ledger, document: str) -> None:
    ours, theirs = ledger.mapper.transcoder, library_mapper(ledger).transcoder
    try:
        expected = theirs.decode(document.encode())
    except Exception as refused:
        with pytest.raises(type(refused)):
            ours.decode(document.encode())
        return
    assert exactly(ours.decode(document.encode())) == exactly(expected)


@pytest.mark.parametrize("history", sorted(HISTORIES))
def test_models_applied_where_they_act_give_the_rows_of_every_model_on_every_event(ledger: Ledger,
                                                                                   history: str) -> None:
    for record in HISTORIES[history]:
        record(ledger)
    dispatched, everything = models.empty_state(), models.empty_state()
    skipped = 0
    for position, event in events(ledger):
        models.apply(dispatched, position, event)
        for model in models.MODELS:
            model.apply(everything, position, event)
        skipped += len(models.MODELS) - len(models.appliers(type(event)))
    assert differences(everything.rows, dispatched.rows) == []
    assert skipped > 0
    assert json.dumps(sorted(dispatched.rows)) == json.dumps(sorted(everything.rows))


@pytest.mark.parametrize("history", sorted(HISTORIES))
def test_a_catch_up_reads_the_events_the_library_reads(ledger: Ledger, history: str) -> None:
    """A catch-up's batches (on SQLite read straight from the events table) decode to the
    events, positions and order of the library's recorder."""
    for record in HISTORIES[history]:
        record(ledger)
    ours = [(n.id, exactly(ledger.mapper.to_domain_event(n))) for batch in _batches(ledger, 0, head(ledger), 7)
            for n in batch]
    theirs = [(n.id, exactly(ledger.mapper.to_domain_event(n))) for n in recorded(ledger)]
    assert ours == theirs and len(ours) == head(ledger)
    assert [n.id for n in next(_batches(ledger, 3, 5, 100))] == [4, 5]
