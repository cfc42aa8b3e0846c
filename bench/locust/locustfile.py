"""One locust user class for bench/load.py: every user requests one path, as fast as answers come.

bench/load.py runs locust once per path (BENCH_PATH) so each figure is that page's own throughput.
For signed-in pages BENCH_SESSIONS holds session keys the bench made for generated citizens; each
user takes one, as a returning visitor's browser would send its cookie.
"""

import itertools
import os

from locust import FastHttpUser, constant, task

PATH = os.environ["BENCH_PATH"]
SESSIONS = itertools.cycle([key for key in os.environ.get("BENCH_SESSIONS", "").split(",") if key])


class PageVisitor(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        session = next(SESSIONS, None)
        self.headers = {"Accept-Language": "ko"}
        if session:
            self.headers["Cookie"] = f"sessionid={session}"

    @task
    def page(self):
        # A redirect (to the login page) or any other status than 200 is an error.
        with self.client.get(PATH, headers=self.headers, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
