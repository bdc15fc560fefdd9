"""haystack's Whoosh backend with jieba's ChineseAnalyzer: the widely copied recipe.

The recipe copies haystack's whoosh_backend.py and replaces StemmingAnalyzer with
jieba.analyse.ChineseAnalyzer in build_schema. Here the same schema is made by swapping the
analyzer of the text fields haystack built with its default; everything else is stock.
"""

import logging

import jieba
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from jieba.analyse import ChineseAnalyzer
from whoosh.fields import TEXT

jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" lines in the benchmark's output


class ChineseWhooshBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            # Text fields without an analyzer of their own got StemmingAnalyzer: the recipe's swap.
            if isinstance(schema[name], TEXT) and field_class.analyzer is None:
                schema.remove(name)
                schema.add(name, TEXT(stored=True, analyzer=ChineseAnalyzer(), field_boost=field_class.boost,
                                      sortable=True, spelling=name == content_field_name))
        return content_field_name, schema


class ChineseWhooshEngine(WhooshEngine):
    backend = ChineseWhooshBackend
