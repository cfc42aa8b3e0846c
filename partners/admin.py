from django.contrib import admin

from .models import Agency, AgencyEmailDomain, AgencyMembership


class AgencyEmailDomainInline(admin.TabularInline):
    model = AgencyEmailDomain
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "kind", "is_city", "is_active", "order")
    list_filter = ("kind", "is_active")
    search_fields = ("name_ko", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [AgencyEmailDomainInline]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "can_report_activities", "can_request_lectures", "can_verify_employees",
                    "can_manage_events")
    list_filter = ("agency",)
    search_fields = ("user__email", "user__name")
    raw_id_fields = ("user",)
