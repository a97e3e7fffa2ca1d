"""Fonts for multilingual figures: Arabic and CJK glyphs, Arabic shaped right-to-left.

The fonts come from two PyPI packages installed with topiclab, so nothing is fetched
at run time:

* ``fontpkg-noto-sans-arabic`` -- Noto Sans Arabic (OFL);
* ``cvttf-notosanscjk-regular`` -- Noto Sans CJK TC Regular (OFL), which holds the
  simplified and traditional Chinese (and Japanese, Korean) ideographs.

:func:`setup_fonts` registers them with matplotlib's font manager and returns a
family fallback list (DejaVu Sans for Latin, then the Arabic and CJK fonts): matplotlib
picks each glyph from the first family of the list that has it. Where the packages are
missing, fonts of the same scripts already installed on the system are used instead,
and a warning names the packages to install.

:func:`display_text` prepares a label for drawing. Matplotlib 3.11 and later lay out
text with libraqm (HarfBuzz shaping and the Unicode bidirectional algorithm), so an
Arabic string is drawn joined and right-to-left as it is; it is only reshaped into
presentation forms, which draw the same. Older matplotlib draws characters one by one
from left to right, so there the string is also reordered into visual order with
``python-bidi``. Reordering for a renderer that applies the bidirectional algorithm
itself would reverse the Arabic twice, hence the switch.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from pathlib import Path
from typing import Any

__all__ = [
    "ARABIC_FAMILIES",
    "CJK_FAMILIES",
    "bundled_font_files",
    "display_text",
    "font_families",
    "has_arabic",
    "native_bidi",
    "rc_params",
    "script_families",
    "setup_fonts",
    "truncate",
]

log = logging.getLogger(__name__)

#: Latin first: its regular and bold faces set every label that needs nothing else.
LATIN_FAMILY = "DejaVu Sans"

#: Families with Arabic glyphs, best first (the bundled one, then common system fonts).
ARABIC_FAMILIES = (
    "Noto Sans Arabic",
    "Noto Naskh Arabic",
    "Noto Kufi Arabic",
    "IBM Plex Sans Arabic",
    "Amiri",
)

#: Families with Chinese glyphs, best first.
CJK_FAMILIES = (
    "Noto Sans CJK TC",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
)

# package (import name) -> (glob of its font files relative to the package, pip name)
_BUNDLED = {
    "fontpkg_noto_sans_arabic": ("files/NotoSansArabic*.ttf", "fontpkg-noto-sans-arabic"),
    "cvttf_NotoSansCJK_Regular": ("NotoSansCJK*-Regular.otf", "cvttf-notosanscjk-regular"),
}

_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LRM = "\u200e"  # LEFT-TO-RIGHT MARK: sets the paragraph direction for the bidi algorithm
_RLM = "\u200f"  # RIGHT-TO-LEFT MARK: the same, right to left
_RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def has_arabic(text: str) -> bool:
    """Tell whether ``text`` holds any Arabic letter (base or presentation form).

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    bool
        True when an Arabic letter is present.
    """
    return bool(_ARABIC_RE.search(text))


def bundled_font_files() -> dict[str, Path]:
    """Return the font files shipped by the installed font packages.

    The packages are located without importing them. Missing packages are left out.

    Returns
    -------
    dict of str to Path
        Package import name -> its font file.
    """
    found: dict[str, Path] = {}
    for module, (pattern, _pip) in _BUNDLED.items():
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):  # pragma: no cover - broken installation
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            files = sorted(Path(location).glob(pattern))
            if files:
                found[module] = files[0]
                break
    return found


@functools.lru_cache(maxsize=1)
def setup_fonts() -> tuple[str, ...]:
    """Register the bundled fonts with matplotlib and return the family fallback list.

    Safe to call many times; the work is done once per process.

    Returns
    -------
    tuple of str
        Font families, Latin first, then one with Arabic glyphs and one with Chinese
        glyphs where available; use it as ``rcParams["font.family"]``.

    Examples
    --------
    >>> families = setup_fonts()
    >>> families[0]
    'DejaVu Sans'
    """
    from matplotlib import font_manager

    for module, path in bundled_font_files().items():
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError) as exc:  # pragma: no cover
            log.warning("could not register font %s from %s: %s", path, module, exc)
    available = {entry.name for entry in font_manager.fontManager.ttflist}
    families = [LATIN_FAMILY]
    missing = []
    for script, candidates in (("Arabic", ARABIC_FAMILIES), ("Chinese", CJK_FAMILIES)):
        family = next((f for f in candidates if f in available), None)
        if family is None:
            missing.append(script)
        else:
            families.append(family)
    if missing:
        log.warning(
            "no font with %s glyphs found; install %s",
            " or ".join(missing),
            " and ".join(pip for _g, pip in _BUNDLED.values()),
        )
    return tuple(families)


def font_families() -> list[str]:
    """Return the family fallback list for ``rcParams["font.family"]``.

    Returns
    -------
    list of str
        The families of :func:`setup_fonts`, as a new list.
    """
    return list(setup_fonts())


def script_families(text: str) -> list[str] | None:
    """Return a family list that sets ``text`` in its own script's font.

    Latin-first fallback would draw Arabic with DejaVu Sans' Arabic glyphs; a string
    holding Arabic is better set wholly in the Arabic font, whose Latin glyphs match.

    Parameters
    ----------
    text : str
        The text to draw.

    Returns
    -------
    list of str or None
        Arabic font first, then the other families, when ``text`` holds Arabic and an
        Arabic font is available; None when the Latin-first list suffices.
    """
    families = font_families()
    if has_arabic(text):
        arabic = [f for f in families if f in ARABIC_FAMILIES]
        if arabic:
            return arabic + [f for f in families if f not in arabic]
    return None


def rc_params() -> dict[str, Any]:
    """Return the rcParams every topiclab figure is made with: font fallback, no mathtext.

    Dollar signs and other markup in titles and terms are drawn literally
    (``text.parse_math`` off, ``text.usetex`` off).

    Returns
    -------
    dict
        matplotlib rcParams.
    """
    return {
        "font.family": font_families(),
        "text.parse_math": False,
        "text.usetex": False,
        "axes.unicode_minus": False,
    }


@functools.lru_cache(maxsize=1)
def native_bidi() -> bool:
    """Tell whether matplotlib shapes and reorders right-to-left text itself.

    Returns
    -------
    bool
        True from matplotlib 3.11 on (text laid out with libraqm).
    """
    import matplotlib

    return tuple(matplotlib.__version_info__[:2]) >= (3, 11)


def display_text(
    text: Any, *, max_len: int | None = None, ltr: bool = False, rtl: bool = False
) -> str:
    """Return a label ready to draw: Arabic reshaped (reordered where matplotlib does not).

    Parameters
    ----------
    text : object
        The label; non-strings are converted with :class:`str`, None and NaN become "".
    max_len : int, optional
        Truncate the logical string to this many characters (with an ellipsis) before
        shaping, so truncation never cuts a word in visual order.
    ltr : bool
        Lay the line out left to right even when its first strong character is Arabic,
        e.g. ``"3: <Arabic label>"`` keeps the number on the left. By default the
        direction follows the first strong character (Unicode rule P2).
    rtl : bool
        Lay every line out right to left, e.g. ``"3: <Arabic label>"`` puts the number on
        the right, where an Arabic reader starts.

    Returns
    -------
    str
        English, Chinese and other left-to-right text unchanged (beyond truncation).
        Arabic is converted to contextual presentation forms with ``arabic-reshaper``;
        when matplotlib does not apply the bidirectional algorithm itself (before
        3.11), each line is also put into visual order with ``python-bidi``.

    Examples
    --------
    >>> display_text("battery storage")
    'battery storage'
    >>> display_text("a long title", max_len=6)
    'a lon…'
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = str(text)
    if max_len is not None:
        s = truncate(s, max_len)
    if not _RTL_RE.search(s):
        return s
    lines = s.split("\n")
    if has_arabic(s):
        import arabic_reshaper

        lines = [arabic_reshaper.reshape(line) for line in lines]
    if native_bidi():
        if rtl:
            lines = [_RLM + line for line in lines]
        elif ltr:
            lines = [_LRM + line for line in lines]
    else:
        from bidi.algorithm import get_display

        base = "R" if rtl else ("L" if ltr else None)
        lines = [get_display(line, base_dir=base) for line in lines]
    return "\n".join(lines)


def truncate(text: str, max_len: int) -> str:
    """Cut ``text`` to ``max_len`` characters, ending with an ellipsis when cut.

    Runs of white space become single spaces first.

    Parameters
    ----------
    text : str
        The text.
    max_len : int
        Characters kept at most (with the ellipsis); below 1, nothing is cut.

    Returns
    -------
    str
        The text, cut where too long.

    Examples
    --------
    >>> truncate("energy storage", 8)
    'energy …'
    """
    text = " ".join(str(text).split())
    if max_len < 1 or len(text) <= max_len:
        return text
    return text[: max_len - 1] + "…"
