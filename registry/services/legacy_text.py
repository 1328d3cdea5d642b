"""Text typed with the legacy Vietnamese fonts: TCVN3 (ABC, .VnTime) and VNI (VNI-Times).

Excel keeps such text as the Windows-1252 characters of the font's bytes, so a name reads
"NguyÔn V¨n A" (TCVN3) or "Nguyeãn Vaên A" (VNI). ``detect()`` tells which one a sample of
text uses, ``convert()`` turns it into Unicode (NFC).
"""

import contextlib
import re
import unicodedata

TCVN3 = "TCVN3"
VNI = "VNI"

# Tones in the order the tables below list them: none, sắc, huyền, hỏi, ngã, nặng.
_TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
# Vowels, each with its letter marks (circumflex, breve, horn), in the tables' order.
_VOWELS = ["a", "a\u0302", "a\u0306", "e", "e\u0302", "o", "o\u0302", "o\u031b", "u", "u\u031b"]
_VOWELS += ["i", "y"]


def _letter(vowel: str, tone: int, upper: bool = False) -> str:
    text = unicodedata.normalize("NFC", vowel + _TONES[tone])
    return text.upper() if upper else text


# TCVN3 (ABC): one byte a letter. For each vowel: the byte of the bare letter (None when it is
# plain ASCII) and the bytes of its five toned forms. Upper-case toned letters lived in separate
# "H" fonts and are typed with the lower-case bytes, so they come out lower case.
_TCVN3_ROWS = [
    (None, 0xB8, 0xB5, 0xB6, 0xB7, 0xB9),  # a
    (0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB),  # â
    (0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6),  # ă
    (None, 0xD0, 0xCC, 0xCE, 0xCF, 0xD1),  # e
    (0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6),  # ê
    (None, 0xE3, 0xDF, 0xE1, 0xE2, 0xE4),  # o
    (0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9),  # ô
    (0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE),  # ơ
    (None, 0xF3, 0xEF, 0xF1, 0xF2, 0xF4),  # u
    (0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9),  # ư
    (None, 0xDD, 0xD7, 0xD8, 0xDC, 0xDE),  # i
    (None, 0xFD, 0xFA, 0xFB, 0xFC, 0xFE),  # y
]
_TCVN3_UPPER = {0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ"}


def _byte_chars(byte: int) -> set[str]:
    """How Excel may show a byte: its Windows-1252 character, or the Latin-1 one."""
    chars = {bytes([byte]).decode("latin-1")}
    with contextlib.suppress(UnicodeDecodeError):
        chars.add(bytes([byte]).decode("cp1252"))
    return chars


def _tcvn3_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for vowel, row in zip(_VOWELS, _TCVN3_ROWS, strict=True):
        for tone, byte in enumerate(row):
            if byte is not None:
                for char in _byte_chars(byte):
                    table[ord(char)] = _letter(vowel, tone)
    for byte, letter in {**_TCVN3_UPPER, 0xAE: "đ"}.items():
        for char in _byte_chars(byte):
            table[ord(char)] = letter
    return table


_TCVN3_TABLE = _tcvn3_table()

# VNI: a base letter followed by a mark character. Marks by tone, for plain vowels, for the
# circumflex (â ê ô) and for the breve (ă).
_VNI_PLAIN = ["", "ù", "ø", "û", "õ", "ï"]
_VNI_CIRCUMFLEX = ["â", "á", "à", "å", "ã", "ä"]
_VNI_BREVE = ["ê", "é", "è", "ú", "ü", "ë"]
_VNI_SPELLING = {  # vowel -> (base as typed, marks)
    "a": ("a", _VNI_PLAIN),
    "a\u0302": ("a", _VNI_CIRCUMFLEX),
    "a\u0306": ("a", _VNI_BREVE),
    "e": ("e", _VNI_PLAIN),
    "e\u0302": ("e", _VNI_CIRCUMFLEX),
    "o": ("o", _VNI_PLAIN),
    "o\u0302": ("o", _VNI_CIRCUMFLEX),
    "o\u031b": ("ô", _VNI_PLAIN),
    "u": ("u", _VNI_PLAIN),
    "u\u031b": ("ö", _VNI_PLAIN),
    "y": ("y", _VNI_PLAIN[:5] + ["î"]),
}
_VNI_I = ["i", "í", "ì", "æ", "ó", "ò"]  # i takes single characters of its own


def _vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(typed -> Unicode, Unicode -> typed) for VNI."""
    table: dict[str, str] = {}
    reverse: dict[str, str] = {}

    def add(typed: str, letter: str, preferred: bool) -> None:
        if typed == letter:
            return
        table.setdefault(typed, letter)
        if preferred:
            reverse.setdefault(letter, typed)

    for vowel, (base, marks) in _VNI_SPELLING.items():
        for tone, mark in enumerate(marks):
            lower, upper = _letter(vowel, tone), _letter(vowel, tone, upper=True)
            if base == "y" and tone == 5:  # ỵ is one character of its own
                add(mark, lower, True)
                add(mark.upper(), upper, True)
                continue
            add(base + mark, lower, True)
            add(base.upper() + mark.upper(), upper, True)
            add(base.upper() + mark, upper, False)
    for tone, typed in enumerate(_VNI_I[1:], start=1):
        add(typed, _letter("i", tone), True)
        add(typed.upper(), _letter("i", tone, upper=True), True)
    add("ñ", "đ", True)
    add("Ñ", "Đ", True)
    return table, reverse


_VNI_TABLE, _VNI_REVERSE = _vni_tables()
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_VNI_TABLE, key=len, reverse=True)))

# Letters that exist only in Unicode Vietnamese text: ă đ ĩ ũ ơ ư and the precomposed block.
_UNICODE_ONLY = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]"
)
# TCVN3 uses the symbols ¡ … ¿ as letters, and its toned letters read as capitals inside a
# lower-case word ("NguyÔn", "ViÖt"); VNI does neither.
_TCVN3_MARKERS = re.compile("[\u00a1-\u00bf]|[a-z][\u00c0-\u00de]")
# VNI puts a mark right after a vowel.
_VNI_MARKERS = re.compile("[aeouyAEOUYôöÔÖ][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]")


def detect(texts) -> str:
    """'TCVN3', 'VNI' or '' (Unicode) for a sample of text from one file."""
    sample = "\n".join(t for t in texts if t)
    if not sample or _UNICODE_ONLY.search(sample):
        return ""
    tcvn3 = len(_TCVN3_MARKERS.findall(sample))
    vni = len(_VNI_MARKERS.findall(sample))
    if max(tcvn3, vni) < 2:
        return ""
    return TCVN3 if tcvn3 >= vni else VNI


def convert(text: str, encoding: str) -> str:
    if not text or not encoding:
        return text
    if encoding == TCVN3:
        return text.translate(_TCVN3_TABLE)
    if encoding == VNI:
        return _VNI_PATTERN.sub(lambda m: _VNI_TABLE[m.group(0)], text)
    raise ValueError(encoding)


def to_tcvn3(text: str) -> str:
    """Unicode to TCVN3 as Excel shows it (for tests and samples): lower-case toned letters."""
    reverse = {letter: chr(code) for code, letter in _TCVN3_TABLE.items()}
    return "".join(
        reverse.get(c, reverse.get(c.lower(), c)) for c in unicodedata.normalize("NFC", text)
    )


def to_vni(text: str) -> str:
    """Unicode to VNI as Excel shows it (for tests and samples)."""
    return "".join(_VNI_REVERSE.get(c, c) for c in unicodedata.normalize("NFC", text))
