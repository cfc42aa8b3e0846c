"""The one small-count rule for every aggregate figure that counts people.

Report tables, their charts and exports, and the meetup statistics all go through here, so a count
is hidden the same way everywhere:

- a count of people from 1 to ``SMALL_COUNT_THRESHOLD - 1`` (settings, default 5) is not shown;
  0 is shown (there is nobody to point at);
- a total is withheld when the hidden counts it adds up could be worked out from it (secondary
  suppression): one hidden count (the total minus the shown ones gives it), or several whose sum
  leaves each only one possible value (all 1, or all threshold - 1). Charts, which add up the same
  cells in other directions too, are stricter: a sum with any hidden count draws nothing;
- a rate is shown only when both of its counts are (a rate next to a shown count gives the other).

Table cells carry ``Hidden`` markers (text, so CSV and XLSX write them as they are shown); charts and
the meetup page read ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def threshold() -> int:
    return settings.SMALL_COUNT_THRESHOLD


def is_hidden(n: int | None) -> bool:
    """True for a count that must not be shown (1 … threshold - 1), and for an unknown one (None)."""
    return n is None or 0 < n < threshold()


def count(n: int | None) -> int | None:
    """The count, or None when it is hidden."""
    return None if is_hidden(n) else n


def total(parts: Iterable[int | None]) -> int | None:
    """The sum of raw counts, or None when any of them is hidden (or the sum itself would be)."""
    parts = list(parts)
    if any(is_hidden(p) for p in parts):
        return None
    return count(sum(parts))


def gives_away(parts: Iterable[int | None]) -> bool:
    """Whether showing the sum of ``parts`` next to its shown parts pins down a hidden one.

    Each hidden count is known to lie in 1 … threshold - 1; with k of them summing to S (the total
    minus the shown parts), one is pinned exactly when k = 1, S = k (all 1) or S = k × (threshold - 1).
    """
    parts = list(parts)
    if any(p is None for p in parts):
        return True
    hidden = [p for p in parts if is_hidden(p)]
    if not hidden:
        return False
    k, s = len(hidden), sum(hidden)
    return k == 1 or s == k or s == k * (threshold() - 1)


def rate(numerator: int | None, denominator: int | None, *, scale: float = 100) -> float | None:
    """``scale × numerator ÷ denominator`` rounded to one decimal, or None unless both counts are shown."""
    if is_hidden(numerator) or is_hidden(denominator) or not denominator:
        return None
    return round(scale * numerator / denominator, 1)


class Hidden(str):
    """A table cell standing in for a figure that is not shown; ``why`` is the cell's tooltip."""

    why: str

    def __new__(cls, text: str, why) -> Hidden:
        cell = super().__new__(cls, text)
        cell.why = str(why)
        return cell

    def __reduce__(self):  # kept in the cache with its table (reports.selectors.tables.report_table)
        return Hidden, (str(self), self.why)


def suppressed() -> Hidden:
    n = threshold()
    return Hidden(f"<{n}", _("%(n)s 미만은 가립니다") % {"n": n})


def withheld() -> Hidden:
    return Hidden("—", _("가린 칸을 계산해 낼 수 있어 비공개"))


def cell(n: int | None) -> int | Hidden:
    """A count as a table cell: the number, or the '<5' marker."""
    return suppressed() if is_hidden(n) else n


def total_cell(parts: Iterable[int | None]) -> int | Hidden:
    """A total as a table cell: the number, '—' when it would give a hidden count away, '<5' when small."""
    parts = list(parts)
    if gives_away(parts):
        return withheld()
    return cell(sum(parts))


def protect_row(parts: list[int]) -> tuple[list, int | Hidden]:
    """The cells and the total of one row of counts that adds up, as table cells.

    Small counts are hidden. When the total would give a hidden one away (``gives_away``), the
    smallest shown count that keeps every hidden one uncertain is withheld too (complementary
    suppression), so the total can stay; if no shown count can, the total is withheld instead. A
    withheld cell counts as hidden for every other sum it is part of (charts): read it with ``plot``.
    """
    marks: list = [cell(p) for p in parts]
    if not gives_away(parts):
        return marks, cell(sum(parts))
    hidden = [p for p in parts if is_hidden(p)]
    # With a withheld count c (known to be ≥ threshold) beside them, the hidden counts are uncertain
    # as long as c ≥ threshold + k + 1 - (their sum).
    need = threshold() + len(hidden) + 1 - sum(hidden)
    candidates = sorted((p, i) for i, p in enumerate(parts) if not is_hidden(p) and p > 0 and p >= need)
    if not candidates:
        total = sum(parts)
        return marks, (suppressed() if is_hidden(total) else withheld())
    marks[candidates[0][1]] = withheld()
    return marks, cell(sum(parts))


def plot(value):
    """A table cell as a chart value: a hidden one draws nothing."""
    return None if isinstance(value, Hidden) else value
