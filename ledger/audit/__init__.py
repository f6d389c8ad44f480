"""Audit cryptography: signed requests, the RFC 9162 Merkle log, checkpoints, the ledger key, verification."""
