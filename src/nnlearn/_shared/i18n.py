"""The language of the tour and of figure labels: English or Korean.

Only the choice of language lives here; the strings themselves sit beside
the code that prints or draws them (:mod:`nnlearn.tour`, :mod:`nnlearn.plots`).
"""

from __future__ import annotations

import locale
import os
from collections.abc import Callable, Mapping
from typing import Any

#: The languages the tour and the figures speak.
LANGUAGES = ("en", "ko")

# POSIX precedence for the language of messages: the first one set decides.
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """Return ``"ko"`` for a Korean locale, ``"en"`` otherwise.

    The first non-empty of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` decides
    (``ko_KR.UTF-8`` and ``ko`` are Korean). When none is set, the process's
    locale is asked (on Windows it is named like ``Korean_Korea``).

    Examples
    --------
    >>> default_lang({"LANG": "ko_KR.UTF-8"})
    'ko'
    >>> default_lang({"LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"})
    'en'
    """
    environ = os.environ if environ is None else environ
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    name = locale.getlocale(locale.LC_CTYPE)[0] or ""
    return "ko" if name.lower().startswith("ko") else "en"


def check_lang(lang: str | None) -> str:
    """Return ``lang`` if it is ``"en"`` or ``"ko"``, the locale's language if ``None``.

    Examples
    --------
    >>> check_lang("ko")
    'ko'
    """
    if lang is None:
        return default_lang()
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


def translator(table: Mapping[str, tuple[str, str]], lang: str) -> Callable[..., str]:
    """Return ``text(key, **fields)``: ``table[key]`` in ``lang``, formatted with ``fields``.

    ``table`` maps each key to its (English, Korean) pair.

    Examples
    --------
    >>> text = translator({"steps": ("{n} steps", "{n}단계")}, "ko")
    >>> text("steps", n=20)
    '20단계'
    """
    column = LANGUAGES.index(check_lang(lang))

    def text(key: str, **fields: Any) -> str:
        return table[key][column].format(**fields)

    return text
