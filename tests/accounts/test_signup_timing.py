"""Sign-up takes as long for an address that has an account as for a new one, so its timing tells
nobody which addresses are registered (both hash the password, both queue one mail)."""

import statistics
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.test import Client
from django.urls import reverse

from notifications.models import Message

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-77"
SAMPLES = 9
ROUNDS = 4  # a real difference (a skipped hash: tens of ms) fails every round; a busy machine not all
TOLERANCE = 0.008  # seconds between the medians: a few ms of Python work (on a busy machine), far below one hash


class MeasurablePBKDF2Hasher(PBKDF2PasswordHasher):
    """Django's default hasher with fewer rounds: slow enough (tens of ms) that a path skipping it
    stands out far beyond the tolerance, fast enough for the suite. (The test settings' MD5 would
    hide the difference.)"""

    algorithm = "pbkdf2_sha256_measurable"
    iterations = 150_000


def _signup_seconds(client, email) -> float:
    started = time.perf_counter()
    response = client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    return elapsed


def test_sign_up_takes_as_long_for_a_registered_address_as_for_a_new_one(settings, citizen):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_signup_timing.MeasurablePBKDF2Hasher",
                                 *settings.PASSWORD_HASHERS]
    settings.ACCOUNT_RATE_LIMITS = False
    hashing = statistics.median(_time(lambda: make_password(PASSWORD)) for _ in range(5))
    assert hashing > 4 * TOLERANCE, "the hasher is too fast for this test to mean anything"

    client = Client()
    _signup_seconds(client, "warm-up@example.com")  # templates, caches, connections
    _signup_seconds(client, citizen.email)
    rounds = []
    for round_ in range(ROUNDS):
        new, taken = [], []
        for i in range(SAMPLES):  # interleaved, so a busy moment slows both alike
            new.append(_signup_seconds(client, f"new-{round_}-{i}@example.com"))
            taken.append(_signup_seconds(client, citizen.email.upper() if i % 2 else citizen.email))
        # The median of the pairs' differences: each pair ran back to back, under the same load.
        difference = statistics.median(a - b for a, b in zip(new, taken, strict=True))
        rounds.append(f"new {statistics.median(new) * 1000:.1f} ms, registered "
                      f"{statistics.median(taken) * 1000:.1f} ms (pairs differ by {difference * 1000:.1f} ms)")
        if abs(difference) < TOLERANCE:
            break
    else:
        pytest.fail("sign-up timing tells registered addresses apart: " + "; ".join(rounds))
    # Both paths queued one mail each time: the verification, or "someone tried to sign up with your address".
    assert Message.objects.filter(kind="accounts.email_confirmation").count() == 1 + len(rounds) * SAMPLES
    assert Message.objects.filter(kind="accounts.account_already_exists", recipient=citizen).count() == (
        1 + len(rounds) * SAMPLES)


def _time(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started
