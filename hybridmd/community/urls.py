from django.urls import include, path

from hybridmd.community import views

urlpatterns = [
    path("", views.community_home, name="community_home"),
    path("b/<slug:slug>/", views.board_detail, name="community_board"),
    path("b/<slug:slug>/new/", views.post_create, name="community_post_create"),
    path("p/<uuid:public_id>/", views.post_detail, name="community_post"),
    path("p/<uuid:public_id>/edit/", views.post_edit, name="community_post_edit"),
    path("p/<uuid:public_id>/history/", views.post_history, name="community_post_history"),
    path("p/<uuid:public_id>/answer/", views.answer_create, name="community_answer_create"),
    path("p/<uuid:public_id>/comment/", views.comment_create, name="community_comment_create"),
    path(
        "p/<uuid:public_id>/accept/<int:answer_id>/",
        views.answer_accept,
        name="community_answer_accept",
    ),
    path("p/<uuid:public_id>/vote/", views.vote, name="community_vote"),
    path("p/<uuid:public_id>/bookmark/", views.bookmark, name="community_bookmark"),
    path("p/<uuid:public_id>/report/", views.report, name="community_report"),
    path("p/<uuid:public_id>/reveal/", views.reveal_asker, name="community_reveal_asker"),
    path("bookmarks/", views.bookmarks, name="community_bookmarks"),
    path("moderation/", views.moderation_queue, name="community_moderation"),
    path("members/<int:user_id>/", views.member_detail, name="community_member"),
    path("search/", include("hybridmd.community.urls_search")),
    path("", include("hybridmd.community.urls_polls")),
    path("", include("hybridmd.community.urls_notifications")),
]
