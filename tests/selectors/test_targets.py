"""'đạt N/M chỉ tiêu, vượt K' on the demo data from the articles, and the bloc ranking read path.

Figures are written as the articles print them; the counts come from the database.
"""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from registry.models import Bloc, TargetSet
from registry.selectors.targets import (
    bloc_ranking,
    number_vi,
    target_set_results,
    target_sets_labels,
)
from registry.services.pledges import ResultEntry, target_results_enter

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_data):
    return demo_data


def plan(title_start: str) -> TargetSet:
    return TargetSet.objects.get(title__startswith=title_start)


def test_number_vi():
    assert number_vi(Decimal("107.140")) == "107,14"
    assert number_vi(Decimal("1213353.000")) == "1.213.353"
    assert number_vi(Decimal("17")) == "17"
    assert number_vi(None) == "–"


@pytest.mark.parametrize(
    ("title", "label"),
    [
        # Hồng Lĩnh, 12/01/2024: "hoàn thành 17/21 chỉ tiêu ..., trong đó có 8 chỉ tiêu vượt mức".
        ("Chỉ tiêu phát triển kinh tế - xã hội, quốc phòng - an ninh năm 2023 thị xã Hồng Lĩnh",
         "đạt 17/21 chỉ tiêu, vượt 8"),
        # Cao Lộc, 21/01/2022: "hoàn thành 17/18 chỉ tiêu năm".
        ("Chỉ tiêu kinh tế - xã hội năm 2021 huyện Cao Lộc", "đạt 17/18 chỉ tiêu, vượt 13"),
        # Văn Lãng, 17/01/2023: "Trong 20 chỉ tiêu ... có 17 chỉ tiêu đạt và vượt".
        ("Chỉ tiêu kinh tế - xã hội, xây dựng Đảng và hệ thống chính trị năm 2022 huyện Văn Lãng",
         "đạt 17/20 chỉ tiêu, vượt 16"),
        # "20 nhiệm vụ trọng tâm ... 07 nhiệm vụ HTXSNV, 11 nhiệm vụ HTTNV" (and 2 HTNV): graded
        # tasks, HTXSNV counts as exceeded and HTNV or better as met.
        ("20 nhiệm vụ trọng tâm năm 2022 huyện Văn Lãng", "đạt 20/20 chỉ tiêu, vượt 7"),
    ],
)  # fmt: skip
def test_the_articles_year_end_figures(demo, title, label):
    assert target_set_results(target_set=plan(title)).label == label


def test_bac_son_at_the_mid_year_review_cut_off(demo):
    bac_son = plan("Chỉ tiêu kinh tế - xã hội năm 2022 huyện Bắc Sơn")
    review = target_set_results(target_set=bac_son, as_of=date(2022, 6, 15))
    progress = {line.target.text: line.progress for line in review.tallies[0].lines}
    # "đã có 8/17 xã đạt chuẩn NTM", "đã khởi công 11/36 công trình khởi công mới".
    assert progress["Số xã đạt chuẩn nông thôn mới"] == "8/17 xã"
    assert progress["Công trình khởi công mới"] == "11/36 công trình"
    assert review.label == "đạt 0/4 chỉ tiêu"
    # The day before the review there are no figures yet: a gap, not a failure.
    before = target_set_results(target_set=bac_son, as_of=date(2022, 6, 14))
    assert before.label == "đạt 0/4 chỉ tiêu (chưa có kết quả 4 chỉ tiêu)"
    assert before.tallies[0].missed == 0
    # A later year-end figure replaces the mid-year one only after its own date.
    target = bac_son.targets.get(text="Số xã đạt chuẩn nông thôn mới")
    target_results_enter(
        target_set=bac_son,
        as_of=date(2022, 12, 31),
        entries=[ResultEntry(target=target, achieved_value=17)],
    )
    assert (
        target_set_results(target_set=bac_son, as_of=date(2022, 6, 15)).label == "đạt 0/4 chỉ tiêu"
    )
    assert target_set_results(target_set=bac_son).label == "đạt 1/4 chỉ tiêu"


def test_demo_bloc_without_results_is_ranked_with_the_gap_shown(demo):
    bloc = Bloc.objects.get(name="Khối thi đua các xã, thị trấn huyện Văn Lãng")
    ranking = bloc_ranking(bloc=bloc, year=2023)
    assert len(ranking.rows) == 8
    assert all(r.missing_results == 5 and r.targets_total == 5 for r in ranking.rows)
    assert not ranking.complete and ranking.missing_total == 40
    out = StringIO()
    call_command("bloc_ranking", "--bloc", str(bloc.pk), "--year", "2023", stdout=out)
    assert "THIẾU 5 kết quả" in out.getvalue() and "Bảng xếp hạng tạm" in out.getvalue()


def test_changelist_labels_for_many_sets(demo, django_assert_max_num_queries):
    sets = list(TargetSet.objects.all())
    with django_assert_max_num_queries(4):
        labels = target_sets_labels(target_sets=sets)
    hong_linh = plan("Chỉ tiêu phát triển kinh tế - xã hội, quốc phòng - an ninh năm 2023")
    assert labels[hong_linh.pk] == "đạt 17/21 chỉ tiêu, vượt 8"
    pledge_set = TargetSet.objects.get(kind="giao-uoc", year=2023)
    assert labels[pledge_set.pk] == "5 chỉ tiêu; 0/8 đơn vị ký đã đủ kết quả"
