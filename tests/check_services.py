"""Before the suite: are PostgreSQL and Redis answering? One line and exit 1 if not."""

import os
import sys

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gwangmyeong"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
HOW = "start them with: docker compose up -d db redis"


def main() -> int:
    db_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS)
    try:
        import psycopg2

        conn = psycopg2.connect(db_url.replace("/gwangmyeong", "/postgres", 1) if db_url.endswith("/gwangmyeong")
                                else db_url, connect_timeout=3)
        conn.close()
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"make test: PostgreSQL at {db_url} is not answering ({first}); {HOW}", file=sys.stderr)
        return 1
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        print(f"make test: Redis at {redis_url} is not answering ({type(exc).__name__}); {HOW}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
