"""Vietnamese text keys: a folded key for search and a sort key for list order.

Both are stored in columns so that SQLite and PostgreSQL search and sort alike,
whatever collation the database was created with.
"""

import unicodedata

_TONE_MARKS = {
    "\u0300": 1,  # huyền
    "\u0309": 2,  # hỏi
    "\u0303": 3,  # ngã
    "\u0301": 4,  # sắc
    "\u0323": 5,  # nặng
}
# Marks that make a letter of its own (ă â ê ô ơ ư), kept in the base letter.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}

# The Vietnamese alphabet, with f j w z placed where a Vietnamese reader expects them.
ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
# Two digits a letter. 00 ends a part, 01 separates words, so a shorter name sorts first.
_LETTER_CODE = {letter: f"{10 + i:02d}" for i, letter in enumerate(ALPHABET)}
_DIGIT_CODE = {str(d): f"{60 + d:02d}" for d in range(10)}
_PART_END = "00"
_WORD_SEP = "01"


def _letters(text: str) -> list[tuple[str, int]]:
    """Split text into (base letter, tone) pairs; spaces become (" ", 0)."""
    result: list[tuple[str, int]] = []
    for char in unicodedata.normalize("NFD", text.lower()):
        if char in _TONE_MARKS:
            if result:
                base, _ = result[-1]
                result[-1] = (base, _TONE_MARKS[char])
        elif char in _LETTER_MARKS:
            if result:
                base, tone = result[-1]
                result[-1] = (unicodedata.normalize("NFC", base + char), tone)
        elif unicodedata.combining(char):
            continue
        else:
            result.append((char, 0))
    return result


def fold(text: str | None) -> str:
    """Lower case, no diacritics, đ as d, single spaces: 'Nguyễn Văn Hưởng' -> 'nguyen van huong'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def _part_key(text: str) -> str:
    letters, tones = [], []
    for base, tone in _letters(" ".join(text.split())):
        if base == " ":
            letters.append(_WORD_SEP)
            tones.append("0")
        elif base in _LETTER_CODE:
            letters.append(_LETTER_CODE[base])
            tones.append(str(tone))
        elif base in _DIGIT_CODE:
            letters.append(_DIGIT_CODE[base])
            tones.append("0")
        # Punctuation does not take part in the order.
    return "".join(letters) + _PART_END + "".join(tones)


def given_name(full_name: str) -> str:
    words = full_name.split()
    return words[-1] if words else ""


def person_sort_key(full_name: str) -> str:
    """By given name (the last word), then the whole name; letters before tones."""
    return _part_key(given_name(full_name)) + _part_key(full_name)


def name_sort_key(name: str) -> str:
    """For names of collectives and units: the whole name in Vietnamese order."""
    return _part_key(name)
