"""The heading every paper starts with, as the models lay it out.

State papers follow Nghị định 30/2020/NĐ-CP: the issuing body on the left, on its own lines and
in bold ("ỦY BAN NHÂN DÂN" / "HUYỆN VĂN LÃNG"), a short rule under it, then "Số: …"; the national
motto on the right ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "Độc lập - Tự do - Hạnh phúc", with
hyphens, as the decree's model has them), a rule under it, and the place and date in italics.

Party papers have their own: the Party committee above ("ĐẢNG BỘ TỈNH LẠNG SƠN"), the issuing
committee under it ("HUYỆN ỦY VĂN LÃNG"), a star, "Số …" on the left; "ĐẢNG CỘNG SẢN VIỆT NAM"
on the right. A committee with no Party committee above it in the registry prints its own name.

One place for it all: the paper templates include registry/papers/_heading.html with the dict
:func:`paper_heading` builds; the certificates and the .docx decision take the same lines.
"""

from __future__ import annotations

import re
from datetime import date

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PARTY_MOTTO = ("ĐẢNG CỘNG SẢN VIỆT NAM",)

# The kinds of administrative unit a body's name ends with ("… huyện Văn Lãng"), longest first,
# so that "thị xã" wins over "xã" and "thành phố" is one word.
PLACE_KINDS = (
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)
_PLACE_SPLIT = re.compile(
    r"\s(?=(?:" + "|".join(re.escape(k) for k in PLACE_KINDS) + r")\s+\w)", re.IGNORECASE
)
# Party committees by the kind of place they lead ("Huyện ủy Văn Lãng" -> "ĐẢNG BỘ HUYỆN …").
PARTY_BODIES = {
    "tỉnh ủy": "tỉnh",
    "thành ủy": "thành phố",
    "huyện ủy": "huyện",
    "quận ủy": "quận",
    "thị ủy": "thị xã",
    "đảng ủy": "",
}
# Words that, mid-phrase, are written in lower case: "Chuyên viên, xã Hoàng Việt".
_LOWER_MID_PHRASE = re.compile(
    r"^(?:" + "|".join(re.escape(k) for k in (*PLACE_KINDS, "thôn", "bản", "tổ dân phố")) + r")\s",
    re.IGNORECASE,
)
_UNCONFIRMED = re.compile(
    r"\s*(?:\((?=[^()]*chưa đối chiếu)[^()]*\)|[;,—–-]?\s*[^;()]*chưa đối chiếu[^;()]*)",
    re.IGNORECASE,
)


def upper(text: str) -> str:
    return text.upper().strip()


def _organ_name(authority) -> str:
    """The body's name: the authority's organ, else its header or name without the signer."""
    if authority.organ:
        return authority.organ.strip()
    text = (authority.header or authority.name or "").strip()
    for prefix in ("chủ tịch ", "ban thường vụ ", "bí thư ", "thủ trưởng "):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    return re.sub(r"\bUBND\b", "Ủy ban nhân dân", text)


def split_place(name: str) -> list[str]:
    """'Ủy ban nhân dân huyện Văn Lãng' -> ['Ủy ban nhân dân', 'huyện Văn Lãng'].

    Split only before the kind of place that starts the name of the place, never inside a
    place's name; "xã hội" is not a place ("… Cộng hòa xã hội chủ nghĩa …").
    """
    for match in _PLACE_SPLIT.finditer(name):
        rest = name[match.end() :]
        if rest.lower().startswith("xã hội"):
            continue
        head = name[: match.start()].strip()
        if head and not head.lower().endswith(("ủy", "uỷ")):
            return [head, rest.strip()]
    return [name.strip()]


def _party_body(organ: str) -> str:
    """'Tỉnh ủy Lạng Sơn' -> 'ĐẢNG BỘ TỈNH LẠNG SƠN'; 'Đảng ủy xã Na Sầm' -> 'ĐẢNG BỘ XÃ NA SẦM'."""
    lowered = organ.lower().replace("uỷ", "ủy")
    for body, kind in PARTY_BODIES.items():
        if lowered.startswith(body + " "):
            place = organ[len(body) + 1 :].strip()
            return upper(f"Đảng bộ {kind} {place}".replace("  ", " "))
    return upper(organ)


def organ_lines(authority) -> list[tuple[str, bool]]:
    """The issuing body's lines on the left of the heading, each (text, bold)."""
    organ = _organ_name(authority)
    if authority.chain == "dang":
        parent = getattr(authority, "parent", None)
        lines = []
        if parent is not None and parent.chain == "dang":
            lines.append((_party_body(_organ_name(parent)), False))
        lines.append((upper(organ), True))
        return lines
    return [(upper(line), True) for line in split_place(organ)]


def paper_heading(authority, *, number: str | None, day: date, place: str) -> dict:
    """The heading of a paper as plain data for _heading.html and the .docx."""
    from registry.services.certificates import long_date

    party = authority.chain == "dang"
    if number is None:
        number_line = None
    elif party:
        number_line = f"Số {number or '      -'}"
    else:
        number_line = f"Số: {number or '      /'}"
    lines = organ_lines(authority)
    return {
        # The issuing body alone (not the Party committee above it), for "XÁC NHẬN CỦA …".
        "organ": " ".join(text for text, bold in lines if bold),
        "organ_lines": [{"text": text, "bold": bold} for text, bold in lines],
        "motto": PARTY_MOTTO if party else MOTTO,
        "party": party,
        "number": number_line,
        "date_line": long_date(day, place),
    }


def mid_phrase(text: str) -> str:
    """'Xã Hoàng Việt' -> 'xã Hoàng Việt' when it follows a comma: a kind of place is common."""
    text = (text or "").strip()
    if _LOWER_MID_PHRASE.match(text):
        return text[0].lower() + text[1:]
    return text


def join_mid_phrase(*parts: str) -> str:
    """'Chuyên viên' + 'Xã Hoàng Việt' -> 'Chuyên viên, xã Hoàng Việt'."""
    shown = [p.strip() for p in parts if p and p.strip()]
    return ", ".join([shown[0], *(mid_phrase(p) for p in shown[1:])]) if shown else ""


def without_unconfirmed(text: str) -> str:
    """A legal basis fit to print: notes that it was not checked against the original removed.

    The catalogue keeps such notes for the people who maintain it; a paper sent upward does not.
    """
    if "chưa đối chiếu" not in (text or "").lower():
        return text or ""
    cleaned = _UNCONFIRMED.sub(" ", text)
    cleaned = re.sub(r"\s+([;,.)])", r"\1", re.sub(r"\s{2,}", " ", cleaned))
    return cleaned.strip().lstrip(";, ")
