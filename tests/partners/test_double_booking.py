"""Two clerks assign the same lecturer to overlapping lectures at the same moment: exactly one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from partners import services
from partners.models import LectureRequest

from .factories import AgencyFactory, LectureRequestFactory, LecturerFactory, future


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignment_books_the_lecturer_once(clerk):
    lecturer = LecturerFactory()
    first = LectureRequestFactory(agency=AgencyFactory())
    second = LectureRequestFactory(agency=AgencyFactory())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def assign(lecture, start_hour):
        try:
            barrier.wait(timeout=10)
            services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=lecturer,
                                              start=future(5, start_hour), end=future(5, start_hour + 2))
            outcomes.append("booked")
        except ValidationError as exc:
            outcomes.append("refused: " + " ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(first, 10)), threading.Thread(target=assign, args=(second, 11))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["booked", "refused"], outcomes
    assert LectureRequest.objects.filter(status=LectureRequest.Status.SCHEDULED, lecturer=lecturer).count() == 1
