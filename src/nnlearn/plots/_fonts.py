"""Find an installed font that draws Hangul, through matplotlib's font manager.

Used only by :mod:`nnlearn.plots` (matplotlib is imported here lazily, inside
the function). The font must really hold Hangul glyphs: a label in a font
without them would show boxes ("tofu") instead of Korean.
"""

from __future__ import annotations

import functools
import os

#: Families tried in order; every one of them covers the Hangul syllables.
CJK_FAMILIES = (
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Source Han Sans KR",
    "NanumGothic",
    "NanumBarunGothic",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "AppleGothic",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "UnDotum",
    "Baekmuk Gulim",
    "Gulim",
    "Dotum",
)

# Lower-case pieces of file names of the fonts above, to register fonts that
# were installed after matplotlib last built its font cache.
_FILE_HINTS = ("notosanscjk", "notosanskr", "sourcehansans", "nanum", "malgun", "applegothic",
               "applesdgothic", "undotum", "baekmuk", "gulim")

_HANGUL_PROBE = "가"  # U+AC00, the first Hangul syllable


def _has_hangul(path: str) -> bool:
    from matplotlib import ft2font

    try:
        return ft2font.FT2Font(path).get_char_index(ord(_HANGUL_PROBE)) != 0
    except (OSError, RuntimeError, ValueError):
        return False


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """Return the family name of an installed font with Hangul, or ``None``.

    The families of :data:`CJK_FAMILIES` are looked up in matplotlib's font
    list, in that order; if none is there, the system font folders are scanned
    once for their files (matplotlib's cached list may predate the font's
    installation). The chosen font is checked to hold the glyph "가".
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager

    def lookup() -> str | None:
        by_name = {entry.name: entry.fname for entry in manager.ttflist}
        for family in CJK_FAMILIES:
            if family in by_name and _has_hangul(by_name[family]):
                return family
        return None

    family = lookup()
    if family is None:
        for path in font_manager.findSystemFonts():
            name = os.path.basename(path).replace("-", "").replace("_", "").replace(" ", "")
            if any(hint in name.lower() for hint in _FILE_HINTS):
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        family = lookup()
    return family
