"""One locust user class for bench/load.py: every user requests one path, as fast as answers come.

bench/load.py runs locust once per path (BENCH_PATH) so each figure is that page's own throughput.
For signed-in pages BENCH_SESSIONS holds session keys the bench made for generated citizens; each
user takes one, as a returning visitor's browser would send its cookie.

Every user reads each answer to its last byte, as it came over the wire, before asking again, and
the time recorded runs until that last byte. It does not inflate a gzip-compressed body: a real
client does that on its own device, while here the load tool shares the server's two cores, so
inflating the 570 kB calendar feed hundreds of times a second would measure the tool, not the
portal. BENCH_INFLATE=1 inflates every body as well (locust's default), to see that cost.
"""

import itertools
import os
import time

from locust import FastHttpUser, constant, task

PATH = os.environ["BENCH_PATH"]
SESSIONS = itertools.cycle([key for key in os.environ.get("BENCH_SESSIONS", "").split(",") if key])
INFLATE = os.environ.get("BENCH_INFLATE") == "1"


class PageVisitor(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        session = next(SESSIONS, None)
        self.headers = {"Accept-Language": "ko", "Accept-Encoding": "gzip"}
        if session:
            self.headers["Cookie"] = f"sessionid={session}"

    @task
    def page(self):
        # A redirect (to the login page) or any other status than 200 is an error.
        started = time.perf_counter()
        with self.client.get(PATH, headers=self.headers, allow_redirects=False, catch_response=True,
                             stream=not INFLATE) as response:
            if not INFLATE:
                length = sum(len(chunk) for chunk in response.iter_content(65536, decode_content=False))
                response.request_meta["response_length"] = length
                response.request_meta["response_time"] = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
