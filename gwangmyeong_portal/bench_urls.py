"""The portal's URLs plus the bare views of the benchmarks; only settings/bench.py points here."""

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from .urls import handler500
from .urls import urlpatterns as portal_urlpatterns

__all__ = ["handler500", "urlpatterns"]

# A table of the bench's own, made in the throw-away database by bench/rush.py (``create_table``):
# writing to it touches nothing the portal reads, so the ceiling's rows can never change a page or an
# invariant the rush checks, and its cost is one index insert like a registration's row.
WRITE_CEILING_TABLE = "bench_write_ceiling"


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {WRITE_CEILING_TABLE} "
                       "(id bigserial PRIMARY KEY, user_id bigint, written_at timestamptz NOT NULL DEFAULT now())")


def ceiling(request):
    """Every middleware, no template, no query: the most any page could be served at."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_POST
def write_ceiling(request):
    """Every middleware (session, CSRF, authentication included), one INSERT in its own transaction,
    no template: the most any write (a registration) could be served at."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {WRITE_CEILING_TABLE} (user_id) VALUES (%s)",  # noqa: S608 - a constant
                       [request.user.pk if request.user.is_authenticated else None])
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling", ceiling), path("bench/write-ceiling", write_ceiling), *portal_urlpatterns]
