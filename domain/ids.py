"""Aggregate ids derived from the codes officers use, so a code always finds its aggregate."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c2a4e-3b8d-5e7f-9a10-4c2d8e6b1f35")


def party_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"party:{code}")


def project_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"project:{code}")


def fund_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"fund:{code}")


def loan_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"loan:{code}")


def request_id(request: str) -> UUID:
    return uuid5(NAMESPACE, f"request:{request}")


def counter_id(clause: str, year: int) -> UUID:
    """The clause-year aggregate that enforces count caps (e.g. P4.2b: 10 a year)."""
    return uuid5(NAMESPACE, f"counter:{clause}:{year}")
