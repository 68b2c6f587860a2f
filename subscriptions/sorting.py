"""A Danish sort key stored on each subscription so ordering is index-backed.

The key uses only the characters 0-9 and a-z, two per letter, so every database
collation (SQLite's byte order, PostgreSQL's C, en_US or da_DK) orders it alike:
a Dane's alphabet is a-z, then æ, ø, å. Like the Danish dictionary, "aa" counts as å
(Aagaard sorts with Åge); ä and ö count as æ and ø, ü as y, other accents are dropped.
"""

import string
import unicodedata

_SEPARATOR = " "
_ALPHABET = _SEPARATOR + string.digits + string.ascii_lowercase + "æøå"
_DIGITS36 = string.digits + string.ascii_lowercase
_CODES = {ch: _DIGITS36[i // 36] + _DIGITS36[i % 36] for i, ch in enumerate(_ALPHABET)}
_DANISH = {"ä": "æ", "ö": "ø", "ü": "y", "ß": "ss", "œ": "øe", "đ": "d", "ł": "l"}
MAX_LENGTH = 400


def _fold(ch: str) -> str:
    if ch in "æøå":
        return ch
    if ch in _DANISH:
        return _DANISH[ch]
    base = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in base if not unicodedata.combining(c))


def danish_sort_key(text: str) -> str:
    folded = "".join(_fold(ch) for ch in text.casefold().strip())
    folded = folded.replace("aa", "å")
    out: list[str] = []
    previous_separator = True
    for ch in folded:
        code = _CODES.get(ch)
        if code is None or ch == _SEPARATOR:
            # Punctuation and spaces count as one word break.
            if not previous_separator:
                out.append(_CODES[_SEPARATOR])
            previous_separator = True
            continue
        out.append(code)
        previous_separator = False
    key = "".join(out)
    if key.endswith(_CODES[_SEPARATOR]):
        key = key[: -len(_CODES[_SEPARATOR])]
    return key[:MAX_LENGTH]


def prefix_upper_bound(key: str) -> str:
    """The smallest key greater than every key starting with ``key``."""
    chars = list(key)
    while chars:
        i = _DIGITS36.index(chars[-1])
        if i + 1 < len(_DIGITS36):
            chars[-1] = _DIGITS36[i + 1]
            return "".join(chars)
        chars.pop()
    return "zz" * (MAX_LENGTH // 2 + 1)
