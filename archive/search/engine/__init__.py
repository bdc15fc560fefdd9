"""The Whoosh engine: backend.py (the haystack backend and the archive's interface), storage.py (how words
and postings are stored), reading.py (matching, scoring, sorting and counting as arrays), writing.py
(segments and merges) and locking.py (the write lock)."""
