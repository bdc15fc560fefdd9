"""The plain recipe, for comparison: haystack's stock Whoosh backend with jieba's ChineseAnalyzer.

Installed as a Django app only by bench/plain/settings.py, so haystack finds its SearchIndex.
"""
