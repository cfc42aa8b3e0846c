"""Bench settings only (settings.bench): what each request cost its thread, in a response header.

``X-Bench-CPU: <cpu ms> <wall ms>`` — the serving thread's CPU time (``time.thread_time``: Python,
psycopg2 and redis-py in this thread; not PostgreSQL's or Redis's own, not the GIL waits) and the
wall time, from the outermost middleware in and back out. bench/rush.py has nginx log it beside each
request, so the rush tells which pages fill the nodes under the real mix, not one page at a time.
A streaming response's body (the CSV exports) is produced after this and is not counted.
"""

import time


class BenchTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cpu, wall = time.thread_time(), time.perf_counter()
        response = self.get_response(request)
        response["X-Bench-CPU"] = (f"{(time.thread_time() - cpu) * 1000:.2f} "
                                   f"{(time.perf_counter() - wall) * 1000:.2f}")
        return response
