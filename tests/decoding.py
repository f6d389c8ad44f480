"""Every recorded event decoded as the library decodes it: the ledger's quicker decoding
(ledger.infra.transcodings.LedgerTranscoder) and the catch-up's reader (projections.runner)
give the very events of the library's JSON transcoder and recorder. Checked on every test ledger
when its test ends (tests/conftest.py), so every kind of event any test records is covered."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import JSONTranscoder, Mapper

from ledger import Ledger


def library_mapper(ledger: Ledger) -> Mapper[Any]:
    """The mapper the ledger would have with the library's JSON transcoder."""
    transcoder = JSONTranscoder()
    ledger.register_transcodings(transcoder)
    return Mapper(transcoder=transcoder, compressor=ledger.mapper.compressor, cipher=ledger.mapper.cipher)


def exactly(value: Any) -> Any:
    """A value as a comparable shape that tells apart what ``==`` does not (Decimal("1.0") and
    Decimal("1.00"), 1 and True, a dataclass and a dict)."""
    if isinstance(value, dict):
        return ("dict", [(k, exactly(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [exactly(v) for v in value])
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return (type(value).__qualname__, exactly(vars(value)))
    return (type(value).__qualname__, repr(value))


def decoded_as_the_library(ledger: Ledger) -> int:
    """Check every event of the ledger's log: read as a catch-up reads it and decoded by the
    ledger, it is exactly the library's, or both refuse it alike. Returns how many were checked."""
    from projections.runner import _batches

    try:
        stored = ledger.recorder.select_notifications(start=1, limit=10_000_000)
        batches = [n for batch in _batches(ledger, 0, stored[-1].id if stored else 0, 500) for n in batch]
    except Exception:  # the test closed or broke the database on purpose: nothing to read
        return 0
    assert [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in batches] == \
        [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in stored]
    library = library_mapper(ledger)
    for n in stored:
        try:
            theirs = exactly(library.to_domain_event(n))
        except Exception as refused:
            try:
                ledger.mapper.to_domain_event(n)
            except type(refused):
                continue
            raise AssertionError(f"event {n.id} ({n.topic}): the library refuses it ({refused!r}), the ledger does not") from refused
        assert exactly(ledger.mapper.to_domain_event(n)) == theirs, f"event {n.id} ({n.topic}) decoded differently"
    return len(stored)
