"""Bilingual content fields: records keep ``<field>_ko`` and ``<field>_en`` columns.

Korean is the portal's first language and is always filled; English falls back to Korean when
a translation has not been written yet, so an English reader never sees an empty title.
"""

from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """The value of ``<field>_<active language>``, falling back to the Korean column."""
    lang = (get_language() or "ko").split("-")[0]
    value = getattr(obj, f"{field}_{lang}", "") if lang != "ko" else ""
    return value or getattr(obj, f"{field}_ko", "")
