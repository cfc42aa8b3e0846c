"""What the open data API answers, field by field. Every field carries a description: the OpenAPI
document (/api/v1/openapi.json) and the documentation page are generated from these classes.

Nothing here names a person: programs, facilities, events, agencies and the agreement only
(tests/api/test_no_personal_data.py walks every endpoint and field to keep it so).
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class ErrorOut(Schema):
    """Every error of the API, whatever its status."""

    message: str = Field(description="What went wrong, in the requested language.")
    code: str = Field(description="A stable, machine-readable code: not_found, invalid_parameters, "
                                  "rate_limited, method_not_allowed, server_error.")
    details: list[dict] | None = Field(None, description="For invalid_parameters: one entry per parameter "
                                                         "that was refused, with its location and reason.")


class PageOut(Schema):
    count: int = Field(description="How many items match, across all pages.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Items per page.")
    next: str | None = Field(description="The path and query of the next page, or null on the last page.")
    previous: str | None = Field(description="The path and query of the previous page, or null on the first.")


class HouseholdOut(Schema):
    code: str = Field(description="The household tag's code, usable as the `household` filter.")
    name: str = Field(description="The household tag's name.")


class WindowOut(Schema):
    apply_method: str = Field(description="How to apply: online (on this portal), visit, phone, or none "
                                          "(used without applying).")
    apply_method_label: str = Field(description="The apply method in words.")
    opens_on: date | None = Field(description="First day applications are taken (Asia/Seoul), or null if "
                                              "there is no start date.")
    closes_on: date | None = Field(description="Last day applications are taken (Asia/Seoul), or null if "
                                               "there is no end date.")
    open_now: bool = Field(description="Whether online applications are taken today.")


class ProgramOut(Schema):
    slug: str = Field(description="The program's stable identifier (also its page address).")
    url: str = Field(description="The program's page on the portal (absolute URL).")
    title: str = Field(description="The program's name.")
    summary: str = Field(description="One or two sentences on what the program gives.")
    life_stage: str = Field(description="Life stage code: pregnancy_birth, childcare_education or jobs_housing.")
    life_stage_label: str = Field(description="The life stage in words.")
    topic: str = Field(description="Topic code (health, classes, cash, civil_service, childcare, school, "
                                   "safety, jobs, startup, housing).")
    topic_label: str = Field(description="The topic in words.")
    households: list[HouseholdOut] = Field(description="The kinds of household the program is meant for.")
    support_kind: str = Field(description="Form of support: cash, service, facility, voucher or housing.")
    support_kind_label: str = Field(description="The form of support in words.")
    amount_max: int | None = Field(description="The largest amount of support in won, or null when it is not "
                                               "a sum of money or not stated.")
    window: WindowOut = Field(description="How and when to apply.")
    updated_at: datetime = Field(description="When the program's record last changed (ISO 8601 with offset).")


class DocumentOut(Schema):
    name: str = Field(description="The document an applicant submits.")
    required: bool = Field(description="Whether the document is required (otherwise optional).")


class ProgramDetailOut(ProgramOut):
    description: str = Field(description="The full description.")
    criteria: list[str] = Field(description="Who may get it, one condition per entry, as the finder checks them.")
    how_to_apply: str = Field(description="How to apply or use it, in words.")
    documents: list[DocumentOut] = Field(description="Documents to submit with an application.")
    office: str = Field(description="The city office responsible.")
    office_phone: str = Field(description="The office's phone number for questions.")
    legal_basis: str = Field(description="The law or ordinance the program rests on.")


class FacilityOut(Schema):
    slug: str = Field(description="The facility's stable identifier (also its page address).")
    url: str = Field(description="The facility's page on the portal (absolute URL).")
    name: str = Field(description="The facility's name.")
    summary: str = Field(description="What the facility offers.")
    life_stage: str = Field(description="Life stage code the facility serves first.")
    address: str = Field(description="Street address, or empty when not recorded.")
    opening_hours: str = Field(description="Opening hours in words, or empty when not recorded.")
    what_to_bring: str = Field(description="What to bring, or empty.")
    office: str = Field(description="The city office responsible.")
    office_phone: str = Field(description="Phone number for questions.")
    updated_at: datetime = Field(description="When the facility's record last changed.")


class OrganiserOut(Schema):
    slug: str | None = Field(description="The organising agency's identifier (the `organiser` filter), or "
                                         "null for one of the city's own offices.")
    name: str = Field(description="The organising agency or city office.")


class PlacesOut(Schema):
    capacity: int | None = Field(description="Places in all, or null when there is no limit.")
    left: int | None = Field(description="Places still free, or null when there is no limit.")
    waitlist_open: bool = Field(description="Whether a full event still takes people on its waitlist.")


class EventRefOut(Schema):
    id: int = Field(description="The event's identifier.")
    title: str = Field(description="The event's title.")
    starts_at: datetime = Field(description="Start (ISO 8601 with offset, Asia/Seoul).")
    url: str = Field(description="The event's page on the portal (absolute URL).")


class EventOut(Schema):
    id: int = Field(description="The event's stable identifier.")
    url: str = Field(description="The event's page on the portal (absolute URL).")
    ics_url: str = Field(description="The event as an iCalendar file (absolute URL).")
    title: str = Field(description="The event's title.")
    type: str = Field(description="Event type code: fair, class, lecture, program_session or other.")
    type_label: str = Field(description="The event type in words.")
    status: str = Field(description="scheduled, cancelled or postponed.")
    starts_at: datetime = Field(description="Start (ISO 8601 with offset, Asia/Seoul).")
    ends_at: datetime = Field(description="End (ISO 8601 with offset, Asia/Seoul).")
    life_stages: list[str] = Field(description="Life stage codes the event is for (may be empty: for everyone).")
    venue: str = Field(description="The place, in words.")
    address: str = Field(description="Street address, or empty.")
    audience: str = Field(description="Who the event is for, in words, or empty.")
    organiser: OrganiserOut = Field(description="Who runs the event.")
    registration_required: bool = Field(description="Whether people register in advance on the portal.")
    registration_open: bool = Field(description="Whether registration is open right now.")
    registration_opens_at: datetime | None = Field(description="When registration opens, or null.")
    registration_closes_at: datetime | None = Field(description="When registration closes, or null.")
    places: PlacesOut = Field(description="Places and waitlist, counted at most API_LIVE_SECONDS (10) seconds ago.")
    updated_at: datetime = Field(description="When the event's record last changed.")


class SeriesOut(Schema):
    id: int = Field(description="The weekly series' identifier.")
    title: str = Field(description="The series' title.")
    occurrences: list[EventRefOut] = Field(description="Every session of the series, in order.")


class EventDetailOut(EventOut):
    description: str = Field(description="The full description.")
    umbrella: EventRefOut | None = Field(description="The event this one is part of (a fair's talk or booth), "
                                                     "or null.")
    sub_events: list[EventRefOut] = Field(description="Talks, booths and sessions within this event.")
    series: SeriesOut | None = Field(description="The weekly series this session belongs to, or null.")


class AgencyOut(Schema):
    slug: str = Field(description="The agency's stable identifier.")
    name: str = Field(description="The agency's name.")
    kind: str = Field(description="Kind code: city, police, education, fire, tax, public_corporation, "
                                  "social_insurance, postal or association.")
    kind_label: str = Field(description="The kind in words.")
    is_city: bool = Field(description="True for Gwangmyeong City itself, the agreement's convening party.")
    address: str = Field(description="Street address, or empty.")
    phone: str = Field(description="Main phone number, or empty.")
    website: str = Field(description="The agency's website, or empty.")


class ClauseOut(Schema):
    number: int = Field(description="The clause's number in the agreement.")
    text: str = Field(description="What the parties agreed to, in words.")
    signatories: list[str] = Field(description="Slugs of the agencies that signed up to this clause.")


class AgreementOut(Schema):
    title: str = Field(description="The agreement's name.")
    summary: str = Field(description="What the agreement is about.")
    signed_on: date = Field(description="The day it was signed.")
    parties: list[AgencyOut] = Field(description="The city and the agencies that signed it.")
    clauses: list[ClauseOut] = Field(description="The agreement's clauses, in order.")


class SearchPageOut(PageOut):
    approximate: bool = Field(description="True when nothing matched the search words and the results are the "
                                          "closest programs instead (a typo, for example).")
    suggestions: list[str] = Field(description="With approximate results: titles to offer as "
                                               "\"did you mean\" (이것을 찾으셨나요?).")


class ProgramPageOut(SearchPageOut):
    results: list[ProgramOut] = Field(description="The programs on this page.")


class FacilityPageOut(SearchPageOut):
    results: list[FacilityOut] = Field(description="The facilities on this page.")


class EventPageOut(PageOut):
    results: list[EventOut] = Field(description="The events on this page.")


class AgencyListOut(Schema):
    count: int = Field(description="How many agencies there are.")
    results: list[AgencyOut] = Field(description="The city and its partner agencies, in the agreement's order.")
