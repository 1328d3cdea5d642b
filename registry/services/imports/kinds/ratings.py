"""Yearly ratings (HTXSNV, HTTNV, HTNV, KHTNV) of people and collectives."""

from __future__ import annotations

from collections import defaultdict

from simple_history.utils import bulk_create_with_history

from registry.models import ImportKind, Rating, RatingGrade
from registry.services.awards import history_user

from ..lines import HOUSEHOLD, KIND_FIELD, ImportLine
from ..matching import (
    chunks,
    create_recipients,
    load_matched,
    match_recipients,
    new_refs,
    recipient_of,
)
from ..rows import header_key
from ..workbook import problem
from .base import Kind, summary

_GRADES = {
    "htxsnv": RatingGrade.HTXSNV,
    "hoan thanh xuat sac nhiem vu": RatingGrade.HTXSNV,
    "httnv": RatingGrade.HTTNV,
    "hoan thanh tot nhiem vu": RatingGrade.HTTNV,
    "htnv": RatingGrade.HTNV,
    "hoan thanh nhiem vu": RatingGrade.HTNV,
    "khtnv": RatingGrade.KHTNV,
    "khong hoan thanh nhiem vu": RatingGrade.KHTNV,
}


class Ratings(Kind):
    kind = ImportKind.RATINGS

    def preview(self, batch, lines, problems, award_type) -> None:
        authority = batch.authority
        for line in lines:
            where = (line.sheet, line.row)
            year = line.read.pop("year", None)
            if "year" in line.bad or not year:
                problems.append(
                    problem(
                        "Thiếu hoặc không đọc được năm: ghi 2023, hoặc năm học 2022-2023.",
                        *where,
                        line.cols.get("year"),
                    )
                )
                line.year, line.school_year = None, False
            else:
                line.year, line.school_year = year
            grade = _GRADES.get(header_key(line.grade))
            if grade is None:
                problems.append(
                    problem(
                        f"Xếp loại “{line.grade or ''}” không hợp lệ: ghi HTXSNV, HTTNV, HTNV "
                        "hoặc KHTNV.",
                        *where,
                        line.cols.get("grade"),
                    )
                )
            line.grade = grade.value if grade else None
            if line.kind == HOUSEHOLD:
                problems.append(
                    problem("Hộ gia đình không có xếp loại hằng năm.", *where, line.cols["name"])
                )
        match_recipients(lines=lines, authority=authority)
        new_refs(lines)
        matched = defaultdict(set)
        for line in lines:
            if line.match == "matched":
                matched[line.kind].add(line.recipient_id)
        existing = {}
        for kind, ids in matched.items():
            field = KIND_FIELD[kind]
            for chunk in chunks(ids):
                for rating in Rating.objects.filter(**{f"{field}_id__in": chunk}):
                    existing[(kind, getattr(rating, f"{field}_id"), rating.year)] = rating.grade
        seen: dict[tuple, ImportLine] = {}
        for line in lines:
            if line.match == "ambiguous" or not line.year:
                continue
            key = (line.identity(), line.year)
            if key in seen:
                problems.append(
                    problem(
                        f"{line.name} có hai xếp loại năm {line.year} (trùng dòng "
                        f"{seen[key].row}). Hãy xóa một dòng.",
                        line.sheet,
                        line.row,
                        line.cols["name"],
                    )
                )
                continue
            seen[key] = line
            if line.match == "matched":
                grade = existing.get((line.kind, line.recipient_id, line.year))
                if grade == line.grade:
                    line.unchanged = True
                elif grade:
                    problems.append(
                        problem(
                            f"{line.name} đã có xếp loại {grade} năm {line.year} trong sổ, khác "
                            f"với {line.grade} trong tệp. Hãy sửa trong trang quản trị nếu cần.",
                            line.sheet,
                            line.row,
                            line.cols.get("grade"),
                        )
                    )

    def confirm(self, batch, lines, reasons, user) -> dict:
        authority = batch.authority
        matched = load_matched(lines)
        created = create_recipients(lines, authority, user)
        ratings = []
        for line in lines:
            if line.unchanged:
                continue
            rating = Rating(
                year=line.year,
                school_year=line.school_year,
                grade=line.grade,
                rated_by=authority,
            )
            setattr(rating, KIND_FIELD[line.kind], recipient_of(line, matched, created))
            ratings.append(rating)
        bulk_create_with_history(ratings, Rating, batch_size=1000, default_user=history_user(user))
        return summary(lines, created)
