"""/me/data.json holds everything about the person — notification choices, consents with version and
time, two-factor, which staff (role and agency, not names) looked at their data — with times in
Seoul; /me/data.zip adds the files they uploaded."""

import io
import json
import re
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from gwangmyeong_portal.access_log import access_log_record
from notifications.models import NotificationPreference
from programs.models import ApplicationDocument
from tests.programs.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def citizen_with_data(citizen, clerk):
    NotificationPreference.objects.create(user=citizen, kind="notifications.reminder", channel="sms", enabled=True)
    application = ApplicationFactory(applicant=citizen, consent_at=timezone.now(), consent_version="2027-01")
    document = ApplicationDocument(application=application, original_name="소득 증명.pdf", size=len(PDF))
    document.file.save("x.pdf", ContentFile(PDF), save=True)
    Authenticator.objects.create(user=citizen, type=Authenticator.Type.TOTP, data={"secret": "NOT-EXPORTED"})
    access_log_record(action="view", actor=clerk, obj=application)
    access_log_record(action="export", actor=clerk, record_type="reports.applications", subject_user_id=citizen.pk,
                      reason="월별 보고")
    return citizen, application


def test_data_json_holds_preferences_consents_two_factor_and_who_looked(client, citizen_with_data, clerk):
    citizen, application = citizen_with_data
    client.force_login(citizen)
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = response.content.decode()
    data = json.loads(text)

    assert {"kind": "notifications.reminder", "channel": "sms", "enabled": True} in data["notifications"]["preferences"]
    consent = next(c for c in data["consents"] if c["purpose"] == "program_application")
    assert consent["text_version"] == "2027-01" and consent["given_at"].endswith("+09:00")
    assert data["account"]["two_factor"]["enabled"] is True
    assert data["account"]["two_factor"]["methods"][0]["type"] == "totp"
    assert "NOT-EXPORTED" not in text

    log = data["access_log"]
    assert [entry["action"] for entry in log] == ["view", "export"]
    assert all(entry["staff_role"] == "광명시 담당 공무원" for entry in log)
    assert log[1]["reason"] == "월별 보고" and log[0]["at"].endswith("+09:00")
    assert clerk.email not in text and clerk.name not in text  # the staff member's role, not who

    # Every time is Seoul time with its offset; none is left in UTC.
    times = re.findall(r'"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[^"]*)"', text)
    assert times and all(t.endswith("+09:00") for t in times), times
    assert data["files"][0]["original_name"] == "소득 증명.pdf"


def test_data_zip_holds_the_json_and_the_uploaded_files(client, citizen_with_data, other_citizen):
    citizen, application = citizen_with_data
    ApplicationFactory(applicant=other_citizen)
    client.force_login(citizen)
    response = client.get(reverse("accounts:data_export_zip"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("my-data.json"))
    path = data["files"][0]["path"]
    assert path.endswith("소득 증명.pdf") and archive.read(path) == PDF
    assert set(archive.namelist()) == {"my-data.json", path}
    assert other_citizen.email not in archive.read("my-data.json").decode()


def test_my_page_offers_the_zip(client, citizen):
    client.force_login(citizen)
    assert reverse("accounts:data_export_zip") in client.get(reverse("accounts:me")).content.decode()
