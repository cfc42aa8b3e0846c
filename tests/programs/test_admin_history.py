"""Clerks reviewing an application in the admin see its history (who did what, when, and why),
in Korean; they cannot delete it, nor can they delete a program (only superusers, with a reason)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import role_permissions_sync
from programs import services
from programs.models import Program

from .factories import ApplicationFactory, ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_clerk_sees_the_application_history_on_its_admin_page(client, citizen, clerk):
    role_permissions_sync()
    program = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금")
    document = RequiredDocumentFactory(program=program, name_ko="가족관계증명서")
    application = ApplicationFactory(program=program, applicant=citizen)
    services.application_save_draft(application=application, answers={}, consent=True,
                                    files={document: SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")})
    application = services.application_submit(application=application, actor=citizen)
    services.application_request_info(application=application, actor=clerk, message="통장 사본을 올려 주세요")
    client.force_login(clerk)
    page = client.get(f"/admin/programs/application/{application.pk}/change/").content.decode()
    assert "처리 이력" in page and "통장 사본을 올려 주세요" in page and "바뀐 상태" in page
    assert client.get(f"/admin/programs/application/{application.pk}/delete/").status_code == 403
    assert client.get(f"/admin/programs/program/{program.pk}/delete/").status_code == 403
    assert Program.objects.filter(pk=program.pk).exists()
