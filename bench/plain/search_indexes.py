"""The plain recipe's SearchIndex: one document field holding title and body, the title stored."""

from haystack import indexes

from archive.models import Article


class PlainArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True)
    title = indexes.CharField(model_attr="title")
    published_on = indexes.DateField(model_attr="published_on", null=True)
    # Filters on slugs, as the search page's URLs give them; keyword fields in stock haystack.
    city = indexes.MultiValueField()
    initiatives = indexes.MultiValueField()

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        # The articles the archive indexes (near-duplicates are not), so both index the same set.
        return Article.objects.canonical().select_related("city").prefetch_related("initiatives").order_by("pk")

    def prepare_text(self, article):
        return article.title + "\n" + article.body

    def prepare_city(self, article):
        return [article.city.slug] if article.city_id else []

    def prepare_initiatives(self, article):
        return [initiative.slug for initiative in article.initiatives.all()]
