"""allauth's awkward or wrong Korean is replaced by the portal's own (locale/ko, LOCALE_PATHS wins)."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_two_factor_page_counts_recovery_codes_in_plain_korean(client, citizen):
    TOTP.activate(citizen, generate_totp_secret())
    RecoveryCodes.activate(citizen)
    client.force_login(citizen)
    page = client.get(reverse("mfa_index"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "복구 코드 10개 중 10개를 아직 쓸 수 있습니다." in page
    assert "계정 중" not in page  # allauth's "총 10개 계정 중 10개의 계정이 복구 코드 설정 가능합니다"


def test_the_password_reset_page_speaks_plainly(client):
    page = client.get(reverse("account_reset_password"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "비밀번호를 다시 정할 수 있는 메일을 보내 드립니다" in page and "당신의" not in page
