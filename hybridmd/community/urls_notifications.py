"""Notifications, paging preferences and the answer-rate dashboard, under /community/.

Names are global (no namespace), like the other community pages: ``notifications_*``
and ``answer_rate_dashboard``.
"""

from django.urls import path

from hybridmd.community import views_notifications as views

urlpatterns = [
    path("notifications/", views.notifications_list, name="notifications_list"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/",
        views.notifications_open,
        name="notifications_open",
    ),
    path("notifications/badge/", views.notifications_badge, name="notifications_badge"),
    path(
        "notifications/preferences/",
        views.notifications_preferences,
        name="notifications_preferences",
    ),
    path("answer-rate/", views.answer_rate_dashboard, name="answer_rate_dashboard"),
]
