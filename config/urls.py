from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("archive.urls")),
]

# The site's error pages; JSON under /api/.
handler400 = "archive.views.bad_request"
handler404 = "archive.views.not_found"
handler500 = "archive.views.server_error"
