from django.contrib import admin
from django.urls import include, path

from hybridmd.config.api import api

urlpatterns = [
    path("", include("hybridmd.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("community/", include("hybridmd.community.urls")),
    path("files/", include("hybridmd.clinical_files.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
