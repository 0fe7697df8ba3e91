"""Before the suite: do PostgreSQL (with pgvector) and Redis answer? Say plainly what is missing."""

import os
import sys

import psycopg
import redis

START = {
    "PostgreSQL": "start it, or unset TEST_DATABASE_URL: `make test` then starts its own PostgreSQL with pgvector",
    "pgvector": "install pgvector in that server, or unset TEST_DATABASE_URL to use the bundled one",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
}


def main() -> int:
    problems = []
    database_url = os.environ["DATABASE_URL"]
    try:
        # The test database is created by the suite; the server's default one must answer.
        with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3) as conn:
            # The recall index's migration creates the extension: the server must offer it.
            if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone():
                problems.append(("pgvector", database_url, "the server has no `vector` extension"))
    except psycopg.Error as exc:
        problems.append(("PostgreSQL", database_url, exc))
    redis_url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(("Redis", redis_url, exc))
    for name, url, exc in problems:
        print(f"{name} is missing at {url}: {exc}".strip(), file=sys.stderr)
        print(f"  fix: {START[name]}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
