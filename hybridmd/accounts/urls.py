from django.urls import path

from hybridmd.accounts import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("me/", views.profile, name="profile"),
    path("verification/", views.verification_queue, name="verification_queue"),
    path("verification/<int:profile_id>/", views.verification_detail, name="verification_detail"),
    path("verification/<int:profile_id>/proof", views.proof_file, name="verification_proof"),
]
