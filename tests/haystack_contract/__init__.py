"""Settings and test runner for django-haystack's own Whoosh tests run against our engine.

Used by tests/test_haystack_contract.py; not pytest tests themselves (no module starts with test_).
"""
