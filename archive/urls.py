from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("search.csv", views.search_csv, name="search_csv"),
    path("search.jsonl", views.search_jsonl, name="search_jsonl"),
    path("search.atom", views.search_atom, name="search_atom"),
    path("search.ris", views.search_citations, {"fmt": "ris"}, name="search_ris"),
    path("search.bib", views.search_citations, {"fmt": "bib"}, name="search_bib"),
    path("api/search", views.api_search, name="api_search"),
    path("api/articles/<int:pk>", views.api_article, name="api_article"),
    path("api/cities", views.api_cities, name="api_cities"),
    path("api/initiatives", views.api_initiatives, name="api_initiatives"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/original/", views.article_original, name="article_original"),
    path("articles/<int:pk>/cite.<str:fmt>", views.article_cite, name="article_cite"),
    path("articles/<int:pk>/versions/<int:number>/", views.article_version, name="article_version"),
    path("cities/", views.city_list, name="cities"),
    path("cities/<slug:slug>/", views.city_detail, name="city"),
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative"),
    path("officials/", views.official_list, name="officials"),
    path("officials/<slug:slug>/", views.official_detail, name="official"),
    path("outlets/", views.outlet_list, name="outlets"),
    path("outlets/<slug:slug>/", views.outlet_detail, name="outlet"),
    path("trends/", views.trends_page, name="trends"),
    path("concordance/", views.concordance_page, name="concordance"),
    path("concordance.csv", views.concordance_csv, name="concordance_csv"),
    path("trends.csv", views.trends_csv, name="trends_csv"),
    path("about/", views.about, name="about"),
]
