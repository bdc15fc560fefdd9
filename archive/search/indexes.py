"""haystack's SearchIndex for Article: the fields every engine builds, filled from documents.IndexedArticle."""

from haystack import indexes

from ..models import Article, Initiative, InitiativeAlias
from . import words
from .documents import FacetField, IndexedArticle
from .engine.storage import WORDS


def sync_dictionary() -> None:
    """The segmenter knows every confirmed initiative name and alias: they change in the admin."""
    names = set(Initiative.objects.filter(confirmed=True).values_list("name", flat=True))
    names |= set(InitiativeAlias.objects.filter(initiative__confirmed=True).values_list("name", flat=True))
    words.sync_user_words(names)


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    # Words come cut (documents.CutText): the engine's tokenizer only reads them. Pages are
    # rendered from the database, so no text is stored in the index.
    text = indexes.CharField(document=True, analyzer=WORDS, stored=False)
    title = indexes.CharField(boost=3.0, analyzer=WORDS, stored=False)
    published_on = indexes.DateField(null=True)
    newest_first = indexes.DateField()
    oldest_first = indexes.DateField()
    city = FacetField()
    province = FacetField()
    initiatives = FacetField()
    outlet = FacetField()
    year = FacetField()
    month = FacetField()

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        sync_dictionary()  # documents must be cut with the same words as the queries
        # Near-duplicates are reached from their first article, not listed again among the hits.
        return self.get_model().objects.canonical().select_related("city").prefetch_related("initiatives__aliases")

    def prepare(self, article):
        """What update_index and rebuild_index send: the same fields as the import's documents."""
        return IndexedArticle.of(article).indexed_fields()
