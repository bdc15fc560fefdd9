"""haystack finds an app's search indexes in its search_indexes module; ours is archive.search.indexes."""

from .search.indexes import ArticleIndex

__all__ = ["ArticleIndex"]
