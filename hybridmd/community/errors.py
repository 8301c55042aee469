"""Errors the community raises beyond Django's own (PermissionDenied -> 403, Http404 -> 404)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """The request clashes with what already exists (voting twice, accepting twice): 409."""
