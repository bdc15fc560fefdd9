"""gunicorn's settings, for `make serve`, the load benchmark and the concurrency tests alike.

Threads: a download streaming for a minute holds one thread, not a whole worker, and gunicorn's
threaded worker does not take a long response for a hung worker (the sync worker kills it after
30 s). Each thread has its own search connection (haystack keeps them per thread).
"""

workers = 2
worker_class = "gthread"
threads = 4
