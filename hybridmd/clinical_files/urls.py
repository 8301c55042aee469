from __future__ import annotations

from django.urls import path

from hybridmd.clinical_files import views

urlpatterns = [
    path("upload/", views.upload, name="clinical_files_upload"),
    path("<uuid:public_id>/", views.file_detail, name="clinical_file"),
    path("<uuid:public_id>/rendering", views.file_rendering, name="clinical_file_rendering"),
    path("<uuid:public_id>/thumbnail", views.file_thumbnail, name="clinical_file_thumbnail"),
    path("<uuid:public_id>/original", views.file_original, name="clinical_file_original"),
]
