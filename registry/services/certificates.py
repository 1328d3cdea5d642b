"""Certificates (giấy khen, bằng khen, …): one page per award, full design or on blanks.

One path for the admin's buttons and action, the background worker, the command line and the
tests: :func:`certificates_render`. Pages are laid out in millimetres; long texts get a smaller
font, measured with the bundled font's own advance widths, so that a certificate never runs onto
a second page. Big batches are rendered in chunks and joined, so memory stays flat.
"""

from __future__ import annotations

import atexit
import io
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import BinaryIO

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from registry.models import Award, Chain
from registry.models.awards import AwardFamily, DecisionStatus
from registry.models.people import Gender
from registry.models.printing import (
    CALIBRATE_PERMISSION,
    LAYOUT_AXES,
    LAYOUT_BLOCKS,
    PRINT_PERMISSION,
    CertificateLayout,
    LayoutCalibration,
    Orientation,
    PageSize,
    PrintKind,
    PrintLog,
    PrintMode,
)
from registry.selectors.scope import authority_in_scope, user_is_unlimited
from registry.services.heading import MOTTO, PARTY_MOTTO, join_mid_phrase

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "registry" / "fonts"
FONT_FILES = {
    "regular": "NotoSerif-Regular.ttf",
    "bold": "NotoSerif-Bold.ttf",
    "italic": "NotoSerif-Italic.ttf",
    "bolditalic": "NotoSerif-BoldItalic.ttf",
}
# A family name of our own, so that nothing on the machine can stand in for the bundled font.
FONT_FAMILY = "Registry Serif"

DRAFT_STAMP = "DỰ THẢO"
REPRINT_MARK = "Bản cấp lại"

PAGE_MM = {PageSize.A4: (297.0, 210.0), PageSize.A3: (420.0, 297.0), PageSize.A5: (210.0, 148.0)}
MM_PER_PT = 25.4 / 72

# The full design on A4 landscape, in mm from the top-left corner: x, y, width, height. Other
# paper sizes scale it. Overlay printing uses these unless a CertificateLayout says otherwise.
DESIGN: dict[str, dict[str, float]] = {
    "header": {"x": 20, "y": 37, "w": 257, "h": 10},
    "name": {"x": 25, "y": 78, "w": 247, "h": 15},
    "details": {"x": 25, "y": 94, "w": 247, "h": 12},
    "achievement": {"x": 30, "y": 107, "w": 237, "h": 28},
    "reference": {"x": 22, "y": 140, "w": 118, "h": 20},
    "date": {"x": 150, "y": 139, "w": 127, "h": 8},
    "signer": {"x": 150, "y": 147, "w": 127, "h": 44},
    "qr": {"x": 22, "y": 163, "w": 100, "h": 24},
}
# Font file, largest and smallest size (pt), alignment, line height of each block's text.
STYLE = {
    "header": ("bold", 15, 8, "center", 1.2),
    "name": ("bolditalic", 22, 10, "center", 1.2),
    "details": ("regular", 14, 8, "center", 1.25),
    "achievement": ("italic", 14, 7, "center", 1.3),
    "reference": ("regular", 11, 7, "left", 1.3),
    "date": ("italic", 13, 8, "center", 1.2),
    "signer": ("bold", 13, 8, "center", 1.25),
    "qr": ("regular", 9, 6, "left", 1.3),
}
# The fixed parts of the full design (not on blanks): motto, "TẶNG", the award's name.
FIXED = {
    "motto": {"x": 20, "y": 15, "w": 257, "h": 18},
    "verb": {"x": 20, "y": 49, "w": 257, "h": 8},
    "title": {"x": 20, "y": 57, "w": 257, "h": 19},
}
FIXED_STYLE = {
    "motto": ("bold", 13, 8, "center", 1.3),
    "verb": ("bold", 14, 8, "center", 1.2),
    "title": ("bold", 38, 14, "center", 1.1),
}


# --- Measuring text with the bundled font --------------------------------------------------------


@cache
def _advances(font: str) -> tuple[dict[int, float], float]:
    """Advance widths in em for every character the font maps, and a fallback width."""
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    ttf = TTFont(FONT_DIR / FONT_FILES[font], lazy=True)
    units = ttf["head"].unitsPerEm
    metrics = ttf["hmtx"].metrics
    widths = {code: metrics[name][0] / units for code, name in ttf.getBestCmap().items()}
    return widths, widths.get(ord("n"), 0.55)


def text_width_mm(text: str, *, font: str, size_pt: float) -> float:
    widths, fallback = _advances(font)
    # Combining marks have no advance of their own; they are composed (NFC) before printing.
    em = sum(widths.get(ord(char), fallback) for char in text)
    return em * size_pt * MM_PER_PT


def lines_needed(text: str, *, font: str, size_pt: float, width_mm: float) -> int:
    """How many lines greedy word wrapping takes, paragraph by paragraph."""
    space = text_width_mm(" ", font=font, size_pt=size_pt)
    total = 0
    for paragraph in text.split("\n"):
        lines, current = 1, 0.0
        for word in paragraph.split():
            word_width = text_width_mm(word, font=font, size_pt=size_pt)
            if current and current + space + word_width > width_mm:
                lines += 1
                current = word_width
            else:
                current = current + space + word_width if current else word_width
            while current > width_mm:  # a word longer than the line breaks anywhere
                lines += 1
                current -= width_mm
        total += lines
    return total


def fit_size(
    text: str,
    *,
    font: str,
    width_mm: float,
    height_mm: float,
    max_pt: float,
    min_pt: float,
    line_height: float = 1.25,
) -> float:
    """The largest size from max_pt down (by half points) at which the text fits the box."""
    size = max_pt
    # A little slack for kerning and the renderer's own rounding.
    width = width_mm * 0.97
    while size > min_pt:
        lines = lines_needed(text, font=font, size_pt=size, width_mm=width)
        if lines * size * line_height * MM_PER_PT <= height_mm:
            return size
        size -= 0.5
    return min_pt


# --- What goes on a page ---------------------------------------------------------------------------


def long_date(day: date, place: str = "") -> str:
    """'Văn Lãng, ngày 17 tháng 01 năm 2023': a zero before days under 10 and months under 3."""
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day_text} tháng {month_text} năm {day.year}"
    return f"{place}, {text}" if place else text


def signer_lines(decision) -> list[str]:
    """'KT. CHỦ TỊCH' above 'PHÓ CHỦ TỊCH'; 'TM. ỦY BAN NHÂN DÂN' above 'CHỦ TỊCH'."""
    title = decision.signer_title.strip().upper()
    prefix = decision.signer_prefix
    if prefix == "TM.":
        organ = (decision.authority.organ or decision.authority.name).upper()
        return [f"TM. {organ}", title]
    if prefix == "KT.":
        head = title.removeprefix("PHÓ ").strip() or title
        return [f"KT. {head}", title]
    if prefix:
        return [f"{prefix} {title}"]
    return [title]


def verification_url(code: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("registry_verification", args=[code])


def qr_data_uri(code: str) -> str:
    # One pixel a module, scaled up without smoothing (image-rendering in the stylesheet): a PNG
    # of a few hundred bytes draws far faster than the same code as vector paths.
    return segno.make(verification_url(code), error="m").png_data_uri(border=0, scale=1)


@dataclass
class Block:
    name: str
    x: float
    y: float
    w: float
    h: float
    font: str
    size: float
    align: str
    line_height: float
    lines: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def style(self) -> str:
        return (
            f"left:{self.x:.1f}mm;top:{self.y:.1f}mm;width:{self.w:.1f}mm;height:{self.h:.1f}mm;"
            f"font-size:{self.size:.1f}pt;text-align:{self.align};line-height:{self.line_height}"
        )

    @property
    def css_class(self) -> str:
        return f"b {self.name} f-{self.font}"


@dataclass
class Page:
    page_name: str
    width: float
    height: float
    blocks: list[Block]
    full: bool
    party: bool = False
    draft: bool = False

    @property
    def style(self) -> str:
        return f"page:{self.page_name};width:{self.width:.1f}mm;height:{self.height:.1f}mm"

    @property
    def stamp_style(self) -> str:
        # Large and diagonal across the middle of the page, so that no copy passes for genuine.
        factor = min(self.width / 297.0, self.height / 210.0)
        return (
            f"left:0;width:{self.width:.1f}mm;top:{self.height / 2 - 22 * factor:.1f}mm;"
            f"font-size:{96 * factor:.1f}pt"
        )

    @property
    def stamp_line_style(self) -> str:
        # The same word upright along the top edge, inside the frame: it reads back as text.
        factor = min(self.width / 297.0, self.height / 210.0)
        return f"top:{11.5 * factor:.1f}mm;font-size:{9 * factor:.1f}pt"


def _paper(layout: CertificateLayout | None) -> tuple[str, float, float]:
    size = layout.page_size if layout else PageSize.A4
    orientation = layout.orientation if layout else Orientation.LANDSCAPE
    long_side, short_side = PAGE_MM[size]
    if orientation == Orientation.LANDSCAPE:
        return f"p-{size}-landscape", long_side, short_side
    return f"p-{size}-portrait", short_side, long_side


def _block(
    name: str,
    text_lines: list[str],
    *,
    box: dict[str, float],
    style: tuple,
    scale: tuple[float, float],
    offsets: dict | None = None,
) -> Block:
    font, max_pt, min_pt, align, line_height = style
    sx, sy = scale
    x, y, w, h = box["x"] * sx, box["y"] * sy, box["w"] * sx, box["h"] * sy
    if offsets:
        x, y = offsets.get("x", x), offsets.get("y", y)
        w, h = offsets.get("w", w), offsets.get("h", h)
    factor = min(sx, sy)
    size = fit_size(
        "\n".join(text_lines),
        font=font,
        width_mm=w,
        height_mm=h,
        max_pt=max_pt * factor,
        min_pt=min_pt * factor,
        line_height=line_height,
    )
    return Block(name, x, y, w, h, font, size, align, line_height, lines=text_lines)


def award_texts(award: Award, *, reprint: bool, today: date) -> dict[str, list[str]]:
    """The variable text of one certificate, block by block."""
    decision = award.decision
    authority = decision.authority
    draft = decision.status != DecisionStatus.ISSUED
    name = award.recipient_name or str(award.recipient)
    if award.individual_id:
        honorific = {Gender.MALE: "Ông", Gender.FEMALE: "Bà"}.get(award.individual.gender, "")
        if honorific:
            name = f"{honorific} {name}"
    details = join_mid_phrase(award.recipient_position, award.recipient_unit)
    achievement = award.achievement.strip() or (
        f"Đã có thành tích xuất sắc năm {award.period_label}."
    )
    reference = [
        f"Quyết định số {decision.number or '…'} {long_date(decision.signed_date)}"
        + (" (dự thảo)" if draft else "")
    ]
    if not draft:
        reference.append(f"Số sổ vàng: {award.register_number}")
    if reprint:
        reference.append(f"{REPRINT_MARK} {long_date(today)}")
    place = decision.place or authority.place_name
    return {
        "header": [(authority.header or authority.name).upper()],
        "name": [name],
        "details": [details] if details else [],
        "achievement": [achievement],
        "reference": reference,
        "date": [long_date(decision.signed_date, place)],
        "signer": signer_lines(decision),
        "signer_name": [decision.signer_name],
        "qr": [] if draft else ["Mã xác thực:", award.verification_code or ""],
    }


def certificate_verb(award_type) -> str:
    """'TẶNG DANH HIỆU' for a danh hiệu thi đua, 'TẶNG' for a hình thức khen thưởng."""
    return "TẶNG DANH HIỆU" if award_type.family == AwardFamily.TITLE else "TẶNG"


def certificate_page(
    award: Award,
    *,
    mode: str,
    layout: CertificateLayout | None,
    reprint: bool = False,
    today: date | None = None,
) -> Page:
    today = today or timezone.localdate()
    page_name, width, height = _paper(layout)
    scale = (width / 297.0, height / 210.0)
    overlay = layout is not None and mode == PrintMode.OVERLAY
    offsets = layout.offsets() if overlay else {}
    shift = layout_shift(layout) if overlay else (0.0, 0.0)
    texts = award_texts(award, reprint=reprint, today=today)
    draft = award.decision.status != DecisionStatus.ISSUED
    party = award.decision.authority.chain == Chain.PARTY
    blocks = []
    for name in LAYOUT_BLOCKS:
        if name == "qr" and draft:
            continue
        lines = texts[name]
        if name == "signer":
            lines = [*lines, "", "", *texts["signer_name"]]
        block = _block(
            name,
            lines,
            box=DESIGN[name],
            style=STYLE[name],
            scale=scale,
            offsets=offsets.get(name),
        )
        block.x += shift[0]
        block.y += shift[1]
        if name == "signer":
            block.lines = texts["signer"]
            block.extra["signer_name"] = texts["signer_name"][0]
        if name == "qr":
            block.extra["qr"] = qr_data_uri(award.verification_code)
            block.extra["qr_style"] = f"width:{block.h:.1f}mm;height:{block.h:.1f}mm"
            block.extra["code_style"] = f"left:{block.h + 3:.1f}mm"
        blocks.append(block)
    if mode == PrintMode.FULL:
        fixed = {
            "motto": list(PARTY_MOTTO if party else MOTTO),
            # Nghị định 98/2023 Điều 104 k2: a danh hiệu thi đua is given "TẶNG DANH HIỆU".
            "verb": [certificate_verb(award.award_type)],
            "title": [award.award_type.certificate_title.upper()],
        }
        for name, lines in fixed.items():
            blocks.append(
                _block(name, lines, box=FIXED[name], style=FIXED_STYLE[name], scale=scale)
            )
    return Page(
        page_name, width, height, blocks, full=mode == PrintMode.FULL, party=party, draft=draft
    )


# --- Rendering -----------------------------------------------------------------------------------

_local = threading.local()


@atexit.register
def _release() -> None:
    # Drop the FontConfiguration before the interpreter tears down the modules its __del__ uses.
    _local.__dict__.clear()


def _weasy():
    """A FontConfiguration and the parsed stylesheet, kept per thread and reused."""
    if getattr(_local, "css", None) is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = CSS(
            string=render_to_string(
                "registry/certificates/certificates.css",
                {"font_dir": FONT_DIR.as_uri(), "family": FONT_FAMILY, "pages": _page_names()},
            ),
            font_config=font_config,
        )
        _local.font_config, _local.css = font_config, css
    return _local.font_config, _local.css


def _page_names() -> list[dict]:
    names = []
    for size, (long_side, short_side) in PAGE_MM.items():
        # Formatted here: the template would print decimals the Vietnamese way (297,0).
        names.append({"name": f"p-{size}-landscape", "size": f"{long_side:g}mm {short_side:g}mm"})
        names.append({"name": f"p-{size}-portrait", "size": f"{short_side:g}mm {long_side:g}mm"})
    return names


# The Info dictionary key (without the slash) that carries an award's verification code on the
# PDF of a single certificate, signed or not; registry.services.signing reads it back.
VERIFICATION_CODE_KEY = "RegistryVerificationCode"


def html_to_pdf(html: str, *, metadata: dict[str, str] | None = None) -> bytes:
    """The PDF of ``html``; ``metadata`` entries (ASCII letter keys) go into its Info dictionary."""
    from weasyprint import HTML

    font_config, css = _weasy()
    document = HTML(string=html, base_url=str(FONT_DIR)).render(
        stylesheets=[css], font_config=font_config
    )
    if metadata:
        document.metadata.custom.update(metadata)
    return document.write_pdf(custom_metadata=bool(metadata))


def pages_pdf(pages: list[Page], *, metadata: dict[str, str] | None = None) -> bytes:
    html = render_to_string("registry/certificates/certificates.html", {"pages": pages})
    return html_to_pdf(html, metadata=metadata)


def certificate_metadata(award: Award) -> dict[str, str]:
    """What the PDF of one issued award's certificate says about itself: its verification code."""
    if award.decision.status != DecisionStatus.ISSUED or not award.verification_code:
        return {}
    return {VERIFICATION_CODE_KEY: award.verification_code}


def join_pdfs(parts: Iterable[bytes | Path], out: BinaryIO) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part) if isinstance(part, bytes) else str(part))
    writer.write(out)


# --- The service ---------------------------------------------------------------------------------


def _award_ids(awards) -> list[int]:
    if hasattr(awards, "values_list"):
        return list(awards.values_list("pk", flat=True))
    return [a if isinstance(a, int) else a.pk for a in awards]


def _layouts(awards: list[Award]) -> dict[tuple, CertificateLayout]:
    """The layouts of these awards' (authority, award type) pairs and the shared ones: one query."""
    found = CertificateLayout.objects.filter(
        Q(authority_id__in={a.decision.authority_id for a in awards}) | Q(authority__isnull=True),
        award_type_id__in={a.award_type_id for a in awards},
    )
    return {(lay.authority_id, lay.award_type_id): lay for lay in found}


def layout_for(layouts: dict, award: Award) -> CertificateLayout | None:
    return layouts.get((award.decision.authority_id, award.award_type_id)) or layouts.get(
        (None, award.award_type_id)
    )


def awards_check(*, awards: list[Award], reprint: bool) -> None:
    problems = []
    for award in awards:
        label = (
            f"Dòng {award.line_no} ({award.recipient_name}) của quyết định {award.decision.number}"
        )
        if award.revoked_by_id:
            problems.append(
                f"{label} đã bị hủy bởi quyết định {award.revoked_by.number}: không in giấy khen."
            )
        if reprint and award.decision.status != DecisionStatus.ISSUED:
            problems.append(
                f"{label}: quyết định chưa ban hành nên chưa có giấy khen để cấp lại. "
                "Hãy in bản nháp để xem trước."
            )
    if problems:
        raise ValidationError(problems)


def _fetch(ids: list[int]) -> list[Award]:
    by_id = Award.objects.select_related(
        "decision__authority", "award_type", "individual", "collective", "household", "revoked_by"
    ).in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def certificates_render_to(
    *,
    awards,
    out: BinaryIO,
    mode: str = PrintMode.FULL,
    reprint: bool = False,
    user=None,
    job=None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write one PDF page per award to `out`, in the order given; log the prints. Page count."""
    if mode not in PrintMode.values:
        raise ValidationError(f"Cách in '{mode}' không có; chọn 'full' hoặc 'overlay'.")
    ids = _award_ids(awards)
    if not ids:
        raise ValidationError("Không có dòng khen thưởng nào để in.")
    chunk_size = max(1, settings.PRINT_CHUNK_SIZE)
    today = timezone.localdate()
    parts: list[bytes] = []
    printed: list[int] = []
    done = 0
    for start in range(0, len(ids), chunk_size):
        chunk = _fetch(ids[start : start + chunk_size])
        awards_check(awards=chunk, reprint=reprint)
        layouts = _layouts(chunk)
        pages = [
            certificate_page(
                award, mode=mode, layout=layout_for(layouts, award), reprint=reprint, today=today
            )
            for award in chunk
        ]
        # A certificate printed on its own carries its verification code in the PDF's metadata.
        metadata = certificate_metadata(chunk[0]) if len(ids) == 1 and chunk else None
        parts.append(pages_pdf(pages, metadata=metadata) if metadata else pages_pdf(pages))
        printed += [a.pk for a in chunk if a.decision.status == DecisionStatus.ISSUED]
        done += len(chunk)
        if progress:
            progress(done, len(ids))
    if len(parts) == 1:
        out.write(parts[0])
    else:
        join_pdfs(parts, out)
    if printed:
        kind = PrintKind.REPRINT if reprint else PrintKind.PRINT
        user_id = user.pk if user is not None and user.is_authenticated else None
        with transaction.atomic():
            PrintLog.objects.bulk_create(
                [
                    PrintLog(award_id=pk, kind=kind, mode=mode, printed_by_id=user_id, job=job)
                    for pk in printed
                ],
                batch_size=500,
            )
    return done


def certificates_render(
    *, awards, mode: str = PrintMode.FULL, reprint: bool = False, user=None
) -> bytes:
    """One PDF, one page per award in the order given (a decision's list order: line_no).

    Awards of a draft decision print as a "BẢN NHÁP" preview without register number or QR code
    and are not logged; reprint (cấp lại) keeps the verification code and says "Bản cấp lại".
    """
    buffer = io.BytesIO()
    certificates_render_to(awards=awards, out=buffer, mode=mode, reprint=reprint, user=user)
    return buffer.getvalue()


def decision_certificate_awards(decision):
    """The awards of a decision that get a certificate: not revoked, in the list's order."""
    return decision.awards.filter(revoked_by__isnull=True).order_by("line_no", "id")


def certificates_calibration(*, authority=None, award_type=None) -> bytes:
    """A ruler grid page (every 5 mm, numbered every 10 mm) with the blocks of the layout in use."""
    layout = None
    if award_type is not None:
        layout = layout_for_pair(authority=authority, award_type=award_type)
    page_name, width, height = _paper(layout)
    scale = (width / 297.0, height / 210.0)
    offsets = layout.offsets() if layout else {}
    shift_x, shift_y = layout_shift(layout)
    boxes = []
    for name, label in LAYOUT_BLOCKS.items():
        box = {
            axis: DESIGN[name][axis] * (scale[0] if axis in "xw" else scale[1])
            for axis in LAYOUT_AXES
        }
        box.update(offsets.get(name, {}))
        box["x"] += shift_x
        box["y"] += shift_y
        where = "; ".join(f"{box[axis]:.1f}" for axis in "xy")  # mm, as the ruler reads
        boxes.append(
            {"label": f"{label} ({where})", "tx": box["x"] + 0.8, "ty": box["y"] + 0.8, **box}
        )
    html = render_to_string(
        "registry/certificates/calibration.html",
        {
            "page_name": page_name,
            "width": width,
            "height": height,
            "xs": list(range(0, int(width) + 1, 5)),
            "ys": list(range(0, int(height) + 1, 5)),
            "boxes": boxes,
            "layout": layout,
            "authority": authority,
            "award_type": award_type,
            "shift": [f"{v:+.1f}".replace(".", ",").replace("-", "−") for v in (shift_x, shift_y)]
            if (shift_x or shift_y)
            else None,
        },
    )
    return html_to_pdf(html)


def layout_shift(layout: CertificateLayout | None) -> tuple[float, float]:
    """(right, down) in millimetres that the office's printer needs on blanks."""
    if layout is None:
        return 0.0, 0.0
    return float(layout.shift_x or 0), float(layout.shift_y or 0)


def layout_for_pair(*, authority, award_type) -> CertificateLayout | None:
    """The layout printing uses for an authority's award type: its own, else the shared one."""
    return (
        CertificateLayout.objects.filter(authority=authority, award_type=award_type).first()
        or CertificateLayout.objects.filter(authority=None, award_type=award_type).first()
    )


SHIFT_LIMIT_MM = Decimal(30)
CALIBRATE_REFUSED = (
    "Chỉ lãnh đạo (hoặc quản trị hệ thống) được căn chỉnh vị trí in trên phôi. Hãy nhờ lãnh đạo "
    "cơ quan nhập độ lệch đo được."
)


def layout_calibrate(
    *,
    authority,
    award_type,
    shift_x: Decimal,
    shift_y: Decimal,
    user,
    note: str = "",
) -> CertificateLayout:
    """Set how far the overlay moves on the office's printer (mm: right, down), keeping history.

    The office's own layout of the award type takes the shift; where the office had none, one is
    made from the shared layout (or the design), so another office's printing does not move.
    """
    if user is not None and not user.has_perm(CALIBRATE_PERMISSION):
        raise PermissionDenied(CALIBRATE_REFUSED)
    errors: dict[str, list[str]] = {}
    if authority is None and user is not None and not user_is_unlimited(user):
        errors["authority"] = ["Hãy chọn cấp khen của cơ quan mình (máy in của cơ quan nào)."]
    elif authority is not None and not authority_in_scope(user, authority):
        errors["authority"] = [f"Cấp khen “{authority}” không thuộc cơ quan của tài khoản này."]
    if award_type is None:
        errors["award_type"] = ["Hãy chọn danh hiệu, hình thức (mẫu phôi) đã in thử."]
    values = {}
    for field_name, value, axis in (("shift_x", shift_x, "ngang"), ("shift_y", shift_y, "dọc")):
        try:
            value = Decimal(str(value)).quantize(Decimal("0.1"))
        except (ArithmeticError, ValueError, TypeError):
            errors[field_name] = [f"Độ dịch {axis} “{value}” không phải là số mi-li-mét."]
            continue
        if abs(value) > SHIFT_LIMIT_MM:
            errors[field_name] = [
                f"Độ dịch {axis} {value} mm quá lớn: chỉ nhập trong khoảng −30 đến 30 mm. "
                "Lệch nhiều hơn thì hãy kiểm tra khổ giấy và cách đặt phôi vào máy in."
            ]
        values[field_name] = value
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        layout = (
            CertificateLayout.objects.select_for_update()
            .filter(authority=authority, award_type=award_type)
            .first()
        )
        if layout is None:
            shared = CertificateLayout.objects.filter(authority=None, award_type=award_type).first()
            layout = CertificateLayout(authority=authority, award_type=award_type)
            if shared is not None:
                layout.page_size, layout.orientation = shared.page_size, shared.orientation
                for block in LAYOUT_BLOCKS:
                    for axis in LAYOUT_AXES:
                        name = f"{block}_{axis}"
                        setattr(layout, name, getattr(shared, name))
            layout.note = "Tạo khi căn chỉnh máy in của cơ quan."
        previous = (layout.shift_x or Decimal(0), layout.shift_y or Decimal(0))
        layout.shift_x, layout.shift_y = values["shift_x"], values["shift_y"]
        layout.full_clean()
        layout.save()
        LayoutCalibration.objects.create(
            layout=layout,
            shift_x=layout.shift_x,
            shift_y=layout.shift_y,
            previous_x=previous[0],
            previous_y=previous[1],
            note=note[:255],
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        )
    return layout


# --- Who may print ---------------------------------------------------------------------------------

PRINT_REFUSED = (
    "Tài khoản này chỉ được xem và lấy báo cáo, không được in hoặc cấp lại giấy khen, giấy xác "
    "nhận khen thưởng. Nếu công việc cần, nhờ quản trị hệ thống thêm vào nhóm Cán bộ thi đua."
)


def print_allowed(user) -> bool:
    """Whether ``user`` may print official papers; None is the machine's operator (commands)."""
    return user is None or user.has_perm(PRINT_PERMISSION)


def print_permission_require(*, user) -> None:
    """Refuse (PermissionDenied, in Vietnamese) a user who may only read."""
    if not print_allowed(user):
        raise PermissionDenied(PRINT_REFUSED)


# --- Large batches in the background ----------------------------------------------------------


class _RunSuperseded(Exception):
    """This run no longer owns its job (given up on as stale, or retried): stop quietly."""


def print_needs_background(count: int) -> bool:
    return count > settings.PRINT_BACKGROUND_THRESHOLD


def _enqueue_on_commit(job) -> None:
    from registry.models.printing import PrintJob
    from registry.tasks import print_job_run

    def enqueue():
        result = print_job_run.enqueue(job.pk)
        PrintJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


def print_job_start(
    *, awards, mode: str = PrintMode.FULL, reprint: bool = False, user=None, decision=None
):
    """Queue a batch for the background worker; the job row survives reloads and restarts."""
    from registry.models.printing import PrintJob

    ids = _award_ids(awards)
    if not ids:
        raise ValidationError("Không có dòng khen thưởng nào để in.")
    awards_check(awards=_fetch(ids[:1]), reprint=reprint)  # cheap early word; the worker checks all
    job = PrintJob.objects.create(
        decision=decision,
        award_ids=ids,
        mode=mode,
        reprint=reprint,
        total=len(ids),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    _enqueue_on_commit(job)
    return job


def _stale_minutes() -> str:
    seconds = settings.PRINT_STALE_SECONDS
    return f"{seconds // 60} phút" if seconds >= 60 and seconds % 60 == 0 else f"{seconds} giây"


def print_jobs_sweep(*, now=None, exclude_id: int | None = None) -> int:
    """Mark failed, with the reason, the jobs whose worker is gone; how many were marked.

    A running job is gone when it has not moved for PRINT_STALE_SECONDS. A queued job is gone
    when it has waited that long while no job is moving: a busy worker is not a dead one.
    """
    from django.db.models.functions import Coalesce

    from registry.models.printing import PrintJob, PrintJobStatus

    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.PRINT_STALE_SECONDS)
    jobs = PrintJob.objects.annotate(
        last_seen=Coalesce("heartbeat_at", "started_at", "created_at")
    ).exclude(pk=exclude_id)
    running = jobs.filter(status=PrintJobStatus.RUNNING)
    stale = list(running.filter(last_seen__lt=limit))
    if not running.filter(last_seen__gte=limit).exists():
        stale += list(jobs.filter(status=PrintJobStatus.QUEUED, last_seen__lt=limit))
    marked = 0
    for job in stale:
        since = timezone.localtime(job.last_seen)
        if job.status == PrintJobStatus.RUNNING:
            reason = (
                f"Tiến trình in nền đã dừng giữa chừng: đã in {job.done}/{job.total} trang, "
                f"không tiến triển từ {since:%H:%M %d/%m/%Y} (quá {_stale_minutes()}). "
                "Bấm “Chạy lại lượt in” để in lại từ đầu."
            )
        else:
            reason = (
                f"Lượt in chờ từ {since:%H:%M %d/%m/%Y} (quá {_stale_minutes()}) mà chưa có tiến "
                "trình in nền nào nhận: có thể tiến trình in nền (manage.py db_worker) chưa chạy. "
                "Hãy báo người quản trị, rồi bấm “Chạy lại lượt in”."
            )
        # Only if nothing moved since it was read: a worker that just spoke keeps its job.
        marked += PrintJob.objects.filter(
            pk=job.pk,
            status=job.status,
            attempts=job.attempts,
            heartbeat_at=job.heartbeat_at,
            done=job.done,
        ).update(status=PrintJobStatus.FAILED, error=reason, finished_at=now)
    return marked


def print_job_retry(*, job, user=None):
    """Queue a failed job again, from the first page; the worker takes it as a new run."""
    from registry.models.printing import PrintJob, PrintJobStatus

    if job.status != PrintJobStatus.FAILED:
        raise ValidationError(
            f"Lượt in {job.pk} đang ở trạng thái “{job.get_status_display()}”: chỉ chạy lại "
            "được lượt in bị lỗi."
        )
    with transaction.atomic():
        updated = PrintJob.objects.filter(pk=job.pk, status=PrintJobStatus.FAILED).update(
            status=PrintJobStatus.QUEUED,
            done=0,
            error="",
            file="",
            started_at=None,
            finished_at=None,
            heartbeat_at=timezone.now(),  # the wait for a worker counts from now
            task_id="",
        )
        if not updated:
            raise ValidationError(f"Lượt in {job.pk} vừa được người khác chạy lại.")
        _enqueue_on_commit(job)
    job.refresh_from_db()
    return job


def print_job_execute(*, job_id: int) -> str:
    """Render a queued job chunk by chunk into a file, keeping its progress; the file's name.

    The run first gives up on jobs whose worker died, then claims this one; a job that is no
    longer queued (done, failed and not retried, or taken by another run) is left alone.
    """
    import tempfile

    from django.core.files import File
    from django.db.models import F

    from registry.models.printing import PrintJob, PrintJobStatus

    print_jobs_sweep(exclude_id=job_id)
    now = timezone.now()
    claimed = PrintJob.objects.filter(pk=job_id, status=PrintJobStatus.QUEUED).update(
        status=PrintJobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        done=0,
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return ""
    job = PrintJob.objects.select_related("created_by", "decision").get(pk=job_id)
    mine = PrintJob.objects.filter(pk=job.pk, status=PrintJobStatus.RUNNING, attempts=job.attempts)

    def progress(done: int, total: int) -> None:
        if not mine.update(done=done, heartbeat_at=timezone.now()):
            raise _RunSuperseded

    try:
        with tempfile.TemporaryFile() as tmp:
            certificates_render_to(
                awards=job.award_ids,
                out=tmp,
                mode=job.mode,
                reprint=job.reprint,
                user=job.created_by,
                job=job,
                progress=progress,
            )
            tmp.seek(0)
            stem = f"giay-khen-{job.decision.pk}" if job.decision_id else "giay-khen"
            job.file.save(f"{stem}-{job.pk}.pdf", File(tmp), save=False)
    except _RunSuperseded:
        return ""
    except ValidationError as error:
        mine.update(
            status=PrintJobStatus.FAILED,
            error="\n".join(error.messages),
            finished_at=timezone.now(),
        )
        return ""
    except Exception as error:
        mine.update(
            status=PrintJobStatus.FAILED,
            error=f"Lỗi khi in: {error}. Hãy báo cho người quản trị.",
            finished_at=timezone.now(),
        )
        raise
    finished = mine.update(
        status=PrintJobStatus.DONE,
        file=job.file.name,
        done=job.total,
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
    )
    if not finished:  # given up on while the file was written: the next run makes its own
        job.file.delete(save=False)
        return ""
    return job.file.name
