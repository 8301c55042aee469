"""The HTTP API (OpenAPI at /api/docs). Errors are RFC 9457 problem+json."""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hybridmd.accounts.api import router as accounts_router
from hybridmd.clinical_files.api import router as files_router
from hybridmd.community.api import router as community_router
from hybridmd.community.api_polls import router as polls_router
from hybridmd.community.api_search import router as search_router
from hybridmd.community.errors import ConflictError

api = NinjaAPI(title="Hybrid MD API", version="1", urls_namespace="api", docs_url="/docs")


def problem(request: HttpRequest, status: int, detail: str, **extra: object) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return problem(request, 422, "The request is not valid.", errors=exc.errors)


@api.exception_handler(ConflictError)
def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return problem(request, 409, "; ".join(exc.messages))


@api.exception_handler(ValidationError)
def _invalid_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem(request, 422, "; ".join(exc.messages))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, 401, "Sign in first.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, "You do not have permission to do this.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Not found.")


class Health(Schema):
    status: str


@api.get("/health", response=Health, tags=["system"], summary="Liveness")
def health(request: HttpRequest) -> Health:
    return Health(status="ok")


api.add_router("/accounts", accounts_router)
api.add_router("", files_router)
community_router.add_router("", polls_router)
community_router.add_router("", search_router)
api.add_router("/community", community_router)
