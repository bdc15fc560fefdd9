"""Everything about finding articles, one concern a module, read in this order:

words.py      how a text becomes index words (script folding, segmentation), for texts and queries alike
query.py      the query language, parsed into a structure (no Django, no engine)
documents.py  what an indexed article is: its words already cut, its facet values and sort keys
interface.py  the one interface between the archive and a search engine
indexes.py    haystack's SearchIndex for Article
engine/       the Whoosh engine, a haystack backend: storage, reading and scoring, writing and merging
indexing.py   keeping the index current: admin edits at commit, bulk imports in batches
service.py    the one search function behind the page, the API and the CSV
highlight.py  snippets and marks
"""
