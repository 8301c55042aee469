"""Included by the project at /community/search/."""

from django.urls import path

from hybridmd.community import views_search

urlpatterns = [
    path("", views_search.community_search, name="community_search"),
]
