"""Append-only, hash-chained audit trail: who saw or changed what, and when."""
