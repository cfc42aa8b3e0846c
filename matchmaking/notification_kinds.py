"""Messages the meetup registry sends. None of them ever carries a contact: the match message only
links to /matchmaking/matches/, where the contact is shown to the signed-in match. All are private
kinds: who was verified, drawn, picked or matched is nobody's business but the recipient's, so the
staff delivery log (notifications admin) never lists them."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register

VERIFICATION_CONFIRMED = register(Kind(key="matchmaking.verification_confirmed", label=_("만남 행사 재직 확인"),
                                       required_context=("agency",), mandatory=True, private=True))
DRAW_SELECTED = register(Kind(key="matchmaking.draw_selected", label=_("만남 행사 추첨 선정"),
                              required_context=("title", "when"), mandatory=True, private=True))
DRAW_WAITLISTED = register(Kind(key="matchmaking.draw_waitlisted", label=_("만남 행사 추첨 대기"),
                                required_context=("title", "position"), mandatory=True, private=True))
# A seat given back after the draw went to this waitlisted person: nothing about who gave it back.
WAITLIST_PROMOTED = register(Kind(key="matchmaking.waitlist_promoted", label=_("만남 행사 대기자 선정"),
                                  required_context=("title", "when"), mandatory=True, private=True))
PICKS_OPEN = register(Kind(key="matchmaking.picks_open", label=_("만남 행사 선택 안내"),
                           required_context=("title", "deadline"), private=True))
MATCH_MADE = register(Kind(key="matchmaking.match_made", label=_("만남 행사 매칭 성사"),
                           required_context=("title",), mandatory=True, private=True))
# PIPA: the person is told before an inactive profile is deleted, so it cannot be turned off.
RETENTION_NOTICE = register(Kind(key="matchmaking.retention_notice", label=_("만남 행사 프로필 삭제 예정 안내"),
                                 required_context=("delete_on",), mandatory=True, private=True))
