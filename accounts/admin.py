from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal.access_log import AccessLoggedAdminMixin

from .models import User


@admin.register(User)
class UserAdmin(AccessLoggedAdminMixin, DjangoUserAdmin):
    """Every staff look at an account (name, e-mail, phone) goes to the access log."""

    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("개인 정보"), {"fields": ["name", "phone", "preferred_language"]}),
        (_("권한"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("기록"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
