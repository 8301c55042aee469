"""Hybrid MD: AI reads, physicians double-check, referrals arrive summarised."""

__version__ = "0.1.0"
