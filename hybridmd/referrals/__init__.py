"""Referral and return (의뢰·회송): drafts, sign-off, duplicate-test checks."""
