from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("search.csv", views.search_csv, name="search_csv"),
    path("api/search", views.api_search, name="api_search"),
    path("api/articles/<int:pk>", views.api_article, name="api_article"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/original/", views.article_original, name="article_original"),
    path("articles/<int:pk>/versions/<int:number>/", views.article_version, name="article_version"),
    path("cities/", views.city_list, name="cities"),
    path("cities/<slug:slug>/", views.city_detail, name="city"),
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative"),
    path("about/", views.about, name="about"),
]
