"""Find quoted words in an article's text, and say clearly why when they cannot be found once."""

from __future__ import annotations

import re

_FOLD = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2014": "-", "\u2013": "-"})


COUNT_LIMIT = 1000  # enough to say "occurs N times"; counting on costs time on self-overlapping words


def occurrences(text: str, words: str, limit: int | None = None) -> list[int]:
    starts, at = [], text.find(words)
    while at != -1 and (limit is None or len(starts) < limit):
        starts.append(at)
        at = text.find(words, at + 1)
    return starts


def find_span(text: str, words: str, occurrence: int | None = None, after: str | None = None):
    """Return (start, end) of ``words`` in ``text``, or a message saying what is wrong.

    ``occurrence`` (1-based) or ``after`` (text that comes before it) picks one of several occurrences.
    """
    starts = occurrences(text, words, limit=max(occurrence, 2) if isinstance(occurrence, int) else COUNT_LIMIT)
    if not starts:
        return "not found" + _hint(text, words)
    if after is not None:
        anchor = text.find(str(after))
        if anchor == -1:
            return f"the `after:` text {str(after)[:60]!r} is not in the article"
        start = text.find(words, anchor + len(str(after)))  # the first occurrence after it
        if start == -1:
            return f"does not occur after {str(after)[:60]!r}"
    elif occurrence is not None:
        if occurrence > len(starts):
            return f"occurs {len(starts)} time(s), so `occurrence: {occurrence}` is too high"
        start = starts[occurrence - 1]
    elif len(starts) > 1:
        count = f"{len(starts)} or more" if len(starts) >= COUNT_LIMIT else len(starts)
        return f"occurs {count} times; add `occurrence: N` or `after: \"words before it\"` to say which"
    else:
        start = starts[0]
    return start, start + len(words)


def _hint(text: str, words: str) -> str:
    folded_text, folded_words = text.translate(_FOLD), words.translate(_FOLD)
    squashed = re.sub(r"\s+", " ", folded_words).strip()
    if folded_words in folded_text:
        return " as written (the article uses other quotation marks or dashes: copy the words from the article)"
    spaced_text = re.sub(r"\s+", " ", folded_text)  # one pass, not a regex per word (that took 12 s on 1 MB)
    if squashed and squashed in spaced_text:
        return " as written (the spacing or line breaks differ from the article)"
    if squashed.lower() in spaced_text.lower():
        return " as written (upper and lower case differ from the article)"
    return ""
