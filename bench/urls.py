"""The project's URLs behind one bare view: the floor every page is compared with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path


def hello(request: HttpRequest) -> HttpResponse:
    """No query, no template: what Django and the middleware cost on their own."""
    return HttpResponse("hello", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/hello/", hello, name="bench_hello"),
    path("", include("hybridmd.config.urls")),
]
