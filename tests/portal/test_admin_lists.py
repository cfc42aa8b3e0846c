"""The review queue's row checkbox (gwangmyeong_portal.admin_lists): Django's markup, written
without the form widget's templates — the same bytes, so selecting rows and actions still work."""

import pytest
from django.contrib import admin
from django.utils import translation

from accounts.roles import role_permissions_sync
from programs import services
from programs.models import Application
from tests.programs.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_row_checkbox_is_the_markup_django_renders(citizen, language):
    application = ApplicationFactory(applicant=citizen)
    ours = admin.site._registry[Application]
    with translation.override(language):
        assert ours.action_checkbox(application) == admin.ModelAdmin.action_checkbox(ours, application)


def test_the_review_queue_shows_a_checkbox_per_row_and_an_action_takes_the_ticked_one(client, clerk, citizen):
    role_permissions_sync()
    draft = ApplicationFactory(applicant=citizen)
    services.application_save_draft(application=draft, answers={}, consent=True, files={})
    application = services.application_submit(application=draft, actor=citizen)
    client.force_login(clerk)
    page = client.get("/admin/programs/application/?status__exact=submitted").content.decode()
    assert f'name="_selected_action" value="{application.pk}" class="action-select"' in page
    response = client.post("/admin/programs/application/?status__exact=submitted",
                           {"action": "action_start_review", "_selected_action": application.pk, "index": "0"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
