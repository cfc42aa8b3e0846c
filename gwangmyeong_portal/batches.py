"""Working through a large table in bounded steps (the nightly retention jobs of every app)."""

from collections.abc import Iterator

from django.db.models import QuerySet


def id_batches(queryset: QuerySet, batch_size: int) -> Iterator[list[int]]:
    """Primary keys of ``queryset`` in ascending batches of at most ``batch_size``.

    Keyset paging: each batch starts after the last id of the one before, so memory stays flat
    however many rows match, and a row changed meanwhile (so it no longer matches) is never read
    twice. The caller handles each batch in its own transaction and re-applies its conditions there.
    """
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        last = ids[-1]
