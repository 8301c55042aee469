"""Poll and survey pages, included by the project under /community/ (names: poll_*, survey_*)."""

from django.urls import path

from hybridmd.community import views_polls as views

urlpatterns = [
    path("polls/<int:poll_id>/", views.poll_block, name="poll_block"),
    path("polls/<int:poll_id>/vote/", views.poll_vote, name="poll_vote"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/results/", views.survey_results, name="survey_results"),
    path("surveys/<int:survey_id>/results.csv", views.survey_export, name="survey_export"),
]
