"""Each answer says the CPU time its request took in its worker: `Server-Timing: cpu;dur=12.5`
(milliseconds, the thread's user and system time from getrusage). bench/load.py reads it to show
that no request's work is unbounded; a streaming answer's header counts the work before its body."""

import resource


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime + usage.ru_stime


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = _cpu_seconds()
        response = self.get_response(request)
        response["Server-Timing"] = f"cpu;dur={(_cpu_seconds() - started) * 1000:.1f}"
        return response
