"""Under /api/, every answer is JSON: a 404 for an unknown path, a 405 for a method the API does
not take, a 400 for a bad host or a 500 that escaped the operation would otherwise be Django's
HTML page, which no program reading the API can use."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

MESSAGES = {
    400: ("bad_request", N_("요청을 이해할 수 없습니다.")),
    403: ("forbidden", N_("허용되지 않은 요청입니다.")),
    404: ("not_found", N_("찾는 자료가 없습니다.")),
    405: ("method_not_allowed", N_("이 주소는 GET 요청만 받습니다.")),
    500: ("server_error", N_("일시적인 오류입니다. 잠시 뒤에 다시 시도해 주세요.")),
}


class JsonErrorsMiddleware:
    prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.prefix) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = MESSAGES.get(response.status_code, ("error", N_("요청을 처리하지 못했습니다.")))
        if response.status_code == 403 and b"CSRF" in getattr(response, "content", b""):
            code, message = "csrf_failed", N_("CSRF 검증에 실패했습니다. 이 API는 GET 요청만 받습니다.")
        body = json.dumps({"message": _(message), "code": code, "details": None}, ensure_ascii=False)
        replacement = HttpResponse(body, status=response.status_code, content_type="application/json; charset=utf-8")
        for header in ("Allow", "Retry-After", "Vary"):
            if header in response:
                replacement[header] = response[header]
        return replacement
