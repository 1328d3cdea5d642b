"""Movements, blocs, pledges and targets: from launch to the draft decision for the leader."""

import io
import json
import subprocess
import tempfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook

from registry.models import (
    Authority,
    Award,
    AwardPower,
    Bloc,
    BlocAwardRule,
    BlocMembership,
    Campaign,
    Collective,
    Decision,
    Pledge,
    PledgeSignatory,
    Target,
    TargetResult,
    TargetSet,
    Unit,
)
from registry.models.eligibility import EligibilityCondition, EligibilityRoute, EligibilityRule
from registry.selectors.targets import bloc_ranking, target_set_results
from registry.services.awards import ELIGIBILITY_REASON_NEEDED
from registry.services.pledges import (
    ResultEntry,
    Signature,
    TargetSpec,
    bloc_ranking_decision_create,
    campaign_launch,
    pledge_create,
    pledge_pdf,
    pledge_sign,
    target_results_enter,
    target_results_import,
    target_set_create,
)
from tests import factories

pytestmark = pytest.mark.django_db

UNIT_NAMES = ["Xã Tân Mỹ", "Xã Hoàng Việt", "Thị trấn Na Sầm", "Xã Thụy Hùng"]
TARGETS = [
    TargetSpec("Thu ngân sách trên địa bàn", 100, "% dự toán"),
    TargetSpec("Tỷ lệ hộ gia đình văn hóa", 86, "%"),
    TargetSpec("Tỷ lệ hộ nghèo cuối năm", Decimal("2.5"), "%", higher_is_better=False),
]


def province() -> Authority:
    return factories.authority(
        "langson-ubnd",
        name="Chủ tịch UBND tỉnh Lạng Sơn",
        level="tinh",
        place_name="Lạng Sơn",
        header="CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN",
    )


def award_catalogue() -> dict:
    cat = factories.catalogue()
    flag = factories.award_type(
        "co-thi-dua-tinh",
        name="Cờ thi đua cấp bộ, ngành, tỉnh",
        certificate_title="CỜ THI ĐUA",
        family="danh-hieu",
        level="bo-tinh",
        for_individuals=False,
    )
    AwardPower.objects.get_or_create(chain="nha-nuoc", level="tinh", award_type=flag)
    rule = BlocAwardRule.objects.create(
        leader_award_type=flag,
        runner_up_award_type=cat["bang_khen"],
        legal_basis="Luật Thi đua, khen thưởng 06/2022/QH15, Điều 26",
    )
    top = province()
    district = cat["authority"]
    district.parent = top
    district.organ = "Ủy ban nhân dân huyện Văn Lãng"
    district.save()
    return {**cat, "flag": flag, "bloc_rule": rule, "province": top, "district": district}


def bloc_setup(
    year: int = 2023,
    names=UNIT_NAMES,
    outsider: bool = True,
    bloc_name: str = "Khối thi đua các xã, thị trấn",
    code_prefix: str = "u",
) -> dict:
    """A district bloc of communes for the year, its movement and its pledge with 3 targets."""
    cat = award_catalogue()
    units = [
        Unit.objects.create(name=name, code=f"{code_prefix}{i}") for i, name in enumerate(names)
    ]
    bloc = Bloc.objects.create(authority=cat["district"], name=bloc_name, points_met=10)
    for index, unit in enumerate(units):
        role = {0: "truong", 1: "pho"}.get(index, "thanh-vien")
        BlocMembership.objects.create(bloc=bloc, year=year, unit=unit, role=role)
    other = Unit.objects.create(name="Phòng Nội vụ", code="pnv") if outsider else None
    campaign = campaign_launch(
        authority=cat["district"],
        name=f"Phong trào thi đua năm {year}",
        theme="Đoàn kết, đổi mới, thi đua hoàn thành vượt mức các chỉ tiêu, nhiệm vụ",
        start_date=date(year, 1, 17),
        end_date=date(year, 12, 31),
        midterm_review_date=date(year, 6, 15),
        final_review_date=date(year + 1, 1, 12),
        units=units,
    )
    pledge = pledge_create(
        bloc=bloc,
        year=year,
        title=f"Giao ước thi đua năm {year} khối các xã, thị trấn",
        ceremony_date=date(year, 1, 17),
        place="Hội trường UBND huyện Văn Lãng",
        campaign=campaign,
        targets=TARGETS,
    )
    return {**cat, "units": units, "bloc": bloc, "other": other, "campaign": campaign,
            "pledge": pledge, "year": year}  # fmt: skip


def sign_all(setup) -> None:
    pledge_sign(
        pledge=setup["pledge"],
        signatures=[
            Signature(unit=u, signer_name=f"Người ký {i}", signer_title="Chủ tịch UBND")
            for i, u in enumerate(setup["units"])
        ],
    )


def enter(setup, unit, values, as_of=None):
    targets = list(setup["pledge"].target_set.targets.all())
    return target_results_enter(
        target_set=setup["pledge"].target_set,
        as_of=as_of or date(setup["year"], 12, 31),
        entries=[
            ResultEntry(target=t, unit=unit, achieved_value=v)
            for t, v in zip(targets, values, strict=True)
            if v is not None
        ],
    )


def counts() -> tuple:
    return tuple(
        m.objects.count()
        for m in (Pledge, PledgeSignatory, TargetSet, Target, TargetResult, Decision, Award)
    )


# --------------------------------------------------------------------------- the whole cycle


def test_launch_pledge_results_ranking_and_draft_decision_for_the_leader():
    setup = bloc_setup()
    units = setup["units"]
    pledge = setup["pledge"]
    assert setup["campaign"].units.count() == 4
    # A new pledge has its target set and an unsigned line for each member of the bloc.
    assert pledge.target_set.kind == "giao-uoc"
    assert [t.order for t in pledge.target_set.targets.all()] == [1, 2, 3]
    assert pledge.signatories.filter(signed=False).count() == 4

    sign_all(setup)
    assert pledge.signatories.filter(signed=True, signed_on=date(2023, 1, 17)).count() == 4

    # Tân Mỹ exceeds all three; Hoàng Việt meets two and exceeds one, misses the poverty rate;
    # Na Sầm meets all exactly; Thụy Hùng misses the budget.
    enter(setup, units[0], [120, 90, 2])
    enter(setup, units[1], [110, 86, 3])
    enter(setup, units[2], [100, 86, Decimal("2.5")])
    enter(setup, units[3], [95, 87, 2])

    ranking = bloc_ranking(bloc=setup["bloc"], year=2023)
    table = [
        (r.rank, r.unit.name, r.score, r.targets_met, r.targets_exceeded) for r in ranking.rows
    ]
    assert table == [
        (1, "Xã Tân Mỹ", Decimal(36), 3, 3),
        (2, "Thị trấn Na Sầm", Decimal(30), 3, 0),
        (3, "Xã Thụy Hùng", Decimal(24), 2, 2),
        (4, "Xã Hoàng Việt", Decimal(22), 2, 1),
    ]
    assert ranking.complete and ranking.rows[0].role == "Khối trưởng"

    decision = bloc_ranking_decision_create(
        bloc=setup["bloc"], year=2023, signed_date=date(2024, 1, 10), signer_name="Hồ Tiến Thiệu"
    )
    # The province may give the Cờ thi đua; the district proposes.
    assert decision.authority == setup["province"]
    assert decision.proposing_authority == setup["district"]
    assert decision.status == "draft" and decision.campaign == setup["campaign"]
    lines = list(decision.awards.select_related("award_type", "collective").order_by("line_no"))
    assert [(a.award_type.code, a.recipient_name) for a in lines] == [
        ("co-thi-dua-tinh", "Xã Tân Mỹ"),
        ("bang-khen-tinh", "Thị trấn Na Sầm"),
        ("bang-khen-tinh", "Xã Thụy Hùng"),
    ]
    assert all(a.period_from == a.period_to == 2023 for a in lines)
    assert "dẫn đầu" in lines[0].achievement
    # Collectives are found or made for the units, kept by the bloc's authority.
    assert lines[0].collective.unit == units[0]
    assert lines[0].collective.registered_by == setup["district"]

    # A second click commends the same achievement twice: refused, nothing added.
    before = counts()
    with pytest.raises(ValidationError, match="không khen hai lần"):
        bloc_ranking_decision_create(
            bloc=setup["bloc"],
            year=2023,
            signed_date=date(2024, 1, 11),
            signer_name="Hồ Tiến Thiệu",
            number="2/QĐ-UBND",
        )
    assert counts() == before


def test_an_existing_collective_of_the_unit_is_reused():
    setup = bloc_setup()
    sign_all(setup)
    for unit in setup["units"]:
        enter(setup, unit, [100, 86, Decimal("2.5")])
    enter(setup, setup["units"][1], [101, 86, Decimal("2.5")])
    kept = factories.collective("UBND xã Hoàng Việt", unit=setup["units"][1])
    decision = bloc_ranking_decision_create(
        bloc=setup["bloc"], year=2023, signed_date=date(2024, 1, 10), signer_name="A", runners_up=0
    )
    assert [a.collective_id for a in decision.awards.all()] == [kept.pk]
    assert Collective.objects.filter(unit=setup["units"][1]).count() == 1


# ------------------------------------------------------- the law in force drives the draft


def ranked(**kwargs) -> dict:
    """A bloc whose 2023 ranking is Tân Mỹ, Na Sầm, Thụy Hùng, Hoàng Việt."""
    setup = bloc_setup(**kwargs)
    sign_all(setup)
    u = setup["units"]
    enter(setup, u[0], [120, 90, 2])
    enter(setup, u[1], [110, 86, 3])
    enter(setup, u[2], [100, 86, Decimal("2.5")])
    enter(setup, u[3], [95, 87, 2])
    return setup


def draft(setup, **kwargs) -> Decision:
    values = {"signed_date": date(2024, 1, 10), "signer_name": "Hồ Tiến Thiệu", **kwargs}
    return bloc_ranking_decision_create(bloc=setup["bloc"], year=2023, **values)


def lines(decision) -> list[tuple]:
    return list(
        decision.awards.order_by("line_no").values_list(
            "award_type__code", "recipient_name", "eligibility_override"
        )
    )


def test_a_bloc_rule_for_the_blocs_level_changes_the_proposed_types():
    setup = ranked()
    excellent = factories.award_type(
        "tt-ldxs", name="Tập thể lao động xuất sắc", certificate_title="TẬP THỂ LAO ĐỘNG XUẤT SẮC",
        family="danh-hieu", level="bo-tinh", for_individuals=False,
    )  # fmt: skip
    AwardPower.objects.create(chain="nha-nuoc", level="tinh", award_type=excellent)
    # From 2024 a district's blocs propose Tập thể lao động xuất sắc for the runners-up.
    BlocAwardRule.objects.create(
        chain="nha-nuoc",
        authority_level="huyen",
        valid_from=date(2024, 1, 1),
        leader_award_type=setup["flag"],
        runner_up_award_type=excellent,
        legal_basis="Quy chế thi đua, khen thưởng của tỉnh (thử)",
    )
    decision = draft(setup)
    assert [line[:2] for line in lines(decision)] == [
        ("co-thi-dua-tinh", "Xã Tân Mỹ"),
        ("tt-ldxs", "Thị trấn Na Sầm"),
        ("tt-ldxs", "Xã Thụy Hùng"),
    ]
    assert decision.subject == (
        "Về việc tặng Cờ thi đua cấp bộ, ngành, tỉnh và Tập thể lao động xuất sắc cho các tập "
        "thể dẫn đầu Khối thi đua các xã, thị trấn năm 2023"
    )


def test_a_bloc_rule_without_a_runner_up_type_proposes_the_leader_only():
    setup = ranked()
    setup["bloc_rule"].runner_up_award_type = None
    setup["bloc_rule"].save()
    decision = draft(setup)
    assert [line[:2] for line in lines(decision)] == [("co-thi-dua-tinh", "Xã Tân Mỹ")]
    assert decision.subject.startswith("Về việc tặng Cờ thi đua cấp bộ, ngành, tỉnh cho ")


def test_no_bloc_rule_in_force_on_the_signing_date_is_a_clear_error():
    setup = ranked()
    setup["bloc_rule"].valid_to = date(2023, 12, 31)
    setup["bloc_rule"].save()
    before = counts()
    with pytest.raises(ValidationError) as error:
        draft(setup)
    assert error.value.messages == [
        "Chưa có quy định hình thức khen theo kết quả khối, cụm thi đua có hiệu lực ngày "
        "10/01/2024 cho khối do Chủ tịch UBND huyện Văn Lãng tổ chức. Hãy thêm dòng trong mục "
        "«Hình thức khen theo xếp hạng khối, cụm thi đua» của danh mục pháp lý (hoặc nạp "
        "danh mục: python manage.py load_catalogue), hoặc chọn ngày ký khác."
    ]
    assert counts() == before


def leader_must_be_rated_excellent(setup) -> EligibilityRule:
    """A Cờ thi đua rule in force from 2024 that Tân Mỹ (no rating on record) does not meet."""
    rule = EligibilityRule.objects.create(
        code="co-thi-dua-thu",
        name="Cờ thi đua (thử)",
        award_type=setup["flag"],
        recipient_kind="tap-the",
        legal_basis="Quy định thử",
        valid_from=date(2024, 1, 1),
    )
    route = EligibilityRoute.objects.create(rule=rule, name="Hoàn thành xuất sắc nhiệm vụ")
    EligibilityCondition.objects.create(
        route=route, kind="lien-tuc-xep-loai", years=1, grade="HTXSNV"
    )
    return rule


REASON = "Hội đồng Thi đua - Khen thưởng huyện suy tôn dẫn đầu khối (biên bản ngày 05/01/2024)"


def test_an_ineligible_leader_is_refused_without_the_councils_reason(django_user_model):
    setup = ranked()
    leader_must_be_rated_excellent(setup)
    before = counts() + (Collective.objects.count(),)
    with pytest.raises(ValidationError) as error:
        draft(setup)
    text = " ".join(error.value.messages)
    assert ELIGIBILITY_REASON_NEEDED in text
    assert "Xã Tân Mỹ" in text and "Cờ thi đua (thử)" in text
    # Nothing is written: no decision, no line, not even the units' new collectives.
    assert counts() + (Collective.objects.count(),) == before

    clerk = django_user_model.objects.create_user("canbo.vanlang")
    decision = draft(setup, eligibility_reason=f"  {REASON} ", user=clerk)
    # The reason is recorded on the line that needed it, not on the eligible runners-up.
    assert lines(decision) == [
        ("co-thi-dua-tinh", "Xã Tân Mỹ", REASON),
        ("bang-khen-tinh", "Thị trấn Na Sầm", ""),
        ("bang-khen-tinh", "Xã Thụy Hùng", ""),
    ]
    history = Award.history.filter(decision_id=decision.pk)
    assert history.count() == 3 and {h.history_user for h in history} == {clerk}


def test_the_command_drafts_the_decision_and_takes_the_reason():
    setup = ranked()
    leader_must_be_rated_excellent(setup)
    args = ["bloc_ranking", "--bloc", str(setup["bloc"].pk), "--year", "2023", "--draft",
            "--signed-date", "10/01/2024", "--signer-name", "Hồ Tiến Thiệu"]  # fmt: skip
    with pytest.raises(CommandError) as error:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert ELIGIBILITY_REASON_NEEDED in str(error.value)
    assert '--eligibility-reason "…"' in str(error.value)
    assert Decision.objects.count() == 0
    out = io.StringIO()
    call_command(*args, "--eligibility-reason", REASON, stdout=out, stderr=io.StringIO())
    assert f"1. Cờ thi đua cấp bộ, ngành, tỉnh: Xã Tân Mỹ — lý do vẫn đề nghị: {REASON}" in (
        out.getvalue()
    )
    decision = Decision.objects.get()
    assert decision.authority == setup["province"] and decision.status == "draft"
    assert lines(decision)[0] == ("co-thi-dua-tinh", "Xã Tân Mỹ", REASON)


def test_the_ranking_page_takes_the_reason(admin_client):
    setup = ranked()
    leader_must_be_rated_excellent(setup)
    url = reverse("admin:registry_bloc_ranking", args=[setup["bloc"].pk, 2023])
    form = {"authority": setup["province"].pk, "number": "", "signed_date": "10/01/2024",
            "signer_title": "CHỦ TỊCH", "signer_name": "Hồ Tiến Thiệu", "runners_up": "0"}  # fmt: skip
    response = admin_client.post(url, {**form, "eligibility_reason": ""}, follow=True)
    html = response.content.decode()
    assert escape(ELIGIBILITY_REASON_NEEDED) in html and 'name="eligibility_reason"' in html
    assert "Chưa đủ tiêu chuẩn Cờ thi đua cấp bộ, ngành, tỉnh năm 2023" in html
    assert Decision.objects.count() == 0
    response = admin_client.post(url, {**form, "eligibility_reason": REASON})
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert lines(decision) == [("co-thi-dua-tinh", "Xã Tân Mỹ", REASON)]


# ----------------------------------------------------------------------------- N/M and K


def test_met_and_exceeded_counts_follow_the_direction_of_each_target():
    setup = bloc_setup()
    sign_all(setup)
    tan_my = setup["units"][0]
    enter(setup, tan_my, [100, 85, Decimal("2.4")])  # met exactly, missed, exceeded (lower)
    results = target_set_results(target_set=setup["pledge"].target_set)
    tally = next(t for t in results.tallies if t.unit == tan_my)
    assert (tally.met, tally.total, tally.exceeded, tally.missed) == (2, 3, 1, 1)
    assert tally.label == "đạt 2/3 chỉ tiêu, vượt 1"
    # Units without results are a gap, not a failure.
    other = next(t for t in results.tallies if t.unit == setup["units"][1])
    assert other.label == "đạt 0/3 chỉ tiêu (chưa có kết quả 3 chỉ tiêu)"
    assert (other.missed, other.missing) == (0, 3)


def test_grade_only_results_and_the_mid_year_cut_off():
    authority = factories.authority()
    district = Unit.objects.create(name="Huyện Văn Lãng")
    plan = target_set_create(
        kind="ke-hoach",
        title="Nhiệm vụ trọng tâm",
        year=2022,
        authority=authority,
        unit=district,
        targets=[TargetSpec(f"Nhiệm vụ {i}", 100, "% khối lượng") for i in range(1, 5)]
        + [TargetSpec("Số xã đạt chuẩn nông thôn mới", 17, "xã")],
    )
    targets = list(plan.targets.all())
    grades = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
    target_results_enter(
        target_set=plan,
        as_of=date(2022, 12, 31),
        entries=[ResultEntry(target=t, grade=g) for t, g in zip(targets, grades, strict=False)],
    )
    target_results_enter(
        target_set=plan,
        as_of=date(2022, 6, 15),
        entries=[ResultEntry(target=targets[4], achieved_value=8)],
    )
    target_results_enter(
        target_set=plan,
        as_of=date(2022, 12, 31),
        entries=[ResultEntry(target=targets[4], achieved_value=17)],
    )
    year_end = target_set_results(target_set=plan)
    # HTXSNV exceeded; HTTNV, HTNV met; KHTNV missed; 17/17 met.
    assert year_end.label == "đạt 4/5 chỉ tiêu, vượt 1"
    mid = target_set_results(target_set=plan, as_of=date(2022, 6, 15))
    assert mid.tallies[0].lines[4].progress == "8/17 xã"
    assert mid.label == "đạt 0/5 chỉ tiêu (chưa có kết quả 4 chỉ tiêu)"


# --------------------------------------------------------------------------- tie in the ranking


def test_a_tie_is_broken_by_exceeded_targets_then_shared():
    setup = bloc_setup()
    setup["bloc"].points_exceeded = 0
    setup["bloc"].save()
    sign_all(setup)
    u = setup["units"]
    enter(setup, u[0], [100, 86, Decimal("2.5")])  # 30, exceeded 0
    enter(setup, u[1], [120, 86, Decimal("2.5")])  # 30, exceeded 1
    enter(setup, u[2], [100, 86, Decimal("2.5")])  # 30, exceeded 0: same as Tân Mỹ
    enter(setup, u[3], [90, 80, 3])  # 0
    ranking = bloc_ranking(bloc=setup["bloc"], year=2023)
    assert [(r.rank, r.unit.name) for r in ranking.rows] == [
        (1, "Xã Hoàng Việt"),
        (2, "Thị trấn Na Sầm"),  # shared place, listed in Vietnamese name order
        (2, "Xã Tân Mỹ"),
        (4, "Xã Thụy Hùng"),
    ]
    assert "xếp trên vì vượt 1 chỉ tiêu" in ranking.rows[0].tie_note
    assert "Đồng hạng với Xã Tân Mỹ" in ranking.rows[1].tie_note
    assert "bằng điểm thì đơn vị có nhiều chỉ tiêu vượt hơn xếp trên" in ranking.rule
    # Two units sharing the place below the leader are proposed together for Bằng khen.
    decision = bloc_ranking_decision_create(
        bloc=setup["bloc"], year=2023, signed_date=date(2024, 1, 10), signer_name="A", runners_up=1
    )
    assert sorted(decision.awards.values_list("award_type__code", "recipient_name")) == [
        ("bang-khen-tinh", "Thị trấn Na Sầm"),
        ("bang-khen-tinh", "Xã Tân Mỹ"),
        ("co-thi-dua-tinh", "Xã Hoàng Việt"),
    ]


def test_a_shared_first_place_is_not_turned_into_a_flag():
    setup = bloc_setup(names=UNIT_NAMES[:2])
    sign_all(setup)
    for unit in setup["units"]:
        enter(setup, unit, [100, 86, Decimal("2.5")])
    ranking = bloc_ranking(bloc=setup["bloc"], year=2023)
    assert [r.rank for r in ranking.rows] == [1, 1]
    before = counts()
    with pytest.raises(ValidationError, match="đồng hạng nhất"):
        bloc_ranking_decision_create(
            bloc=setup["bloc"], year=2023, signed_date=date(2024, 1, 10), signer_name="A"
        )
    assert counts() == before


# ----------------------------------------------------------------------------------- bad input


def test_a_target_without_a_planned_value_creates_nothing():
    setup = bloc_setup(year=2023)
    before = counts()
    with pytest.raises(ValidationError) as error:
        pledge_create(
            bloc=setup["bloc"],
            year=2024,
            title="Giao ước 2024",
            ceremony_date=date(2024, 1, 12),
            targets=[TargetSpec("Thu ngân sách", 100), TargetSpec("Giải ngân vốn", None)],
        )
    assert "Chỉ tiêu số 2 («Giải ngân vốn»): chưa có giá trị kế hoạch" in error.value.messages[-1]
    assert counts() == before


def test_two_pledges_for_one_bloc_and_year_are_refused():
    setup = bloc_setup()
    before = counts()
    with pytest.raises(ValidationError) as error:
        pledge_create(
            bloc=setup["bloc"],
            year=2023,
            title="Giao ước khác",
            ceremony_date=date(2023, 2, 1),
            targets=TARGETS,
        )
    message = " ".join(error.value.messages)
    assert "đã có giao ước thi đua năm 2023" in message and "mở giao ước đó để sửa" in message
    assert counts() == before


def test_a_signature_by_a_unit_outside_the_bloc_signs_nobody():
    setup = bloc_setup()
    before = list(PledgeSignatory.objects.values_list("unit_id", "signed"))
    with pytest.raises(ValidationError) as error:
        pledge_sign(
            pledge=setup["pledge"],
            signatures=[
                Signature(unit=setup["units"][0], signer_name="Nông Xuân Cường"),
                Signature(unit=setup["other"], signer_name="Người ngoài"),
            ],
        )
    assert error.value.messages == [
        "Phòng Nội vụ không thuộc Khối thi đua các xã, thị trấn năm 2023 nên không ký giao ước "
        "«Giao ước thi đua năm 2023 khối các xã, thị trấn» được. Hãy thêm đơn vị vào khối "
        "(đúng năm) trước, hoặc chọn đúng đơn vị."
    ]
    assert list(PledgeSignatory.objects.values_list("unit_id", "signed")) == before


def test_a_member_of_another_year_may_not_sign():
    setup = bloc_setup()
    BlocMembership.objects.create(bloc=setup["bloc"], year=2022, unit=setup["other"])
    with pytest.raises(ValidationError, match="không thuộc Khối thi đua các xã, thị trấn năm 2023"):
        pledge_sign(
            pledge=setup["pledge"], signatures=[Signature(unit=setup["other"], signer_name="X")]
        )


def test_a_result_for_a_unit_that_did_not_sign_saves_nothing():
    setup = bloc_setup()
    u = setup["units"]
    pledge_sign(pledge=setup["pledge"], signatures=[Signature(unit=u[0], signer_name="A")])
    targets = list(setup["pledge"].target_set.targets.all())
    with pytest.raises(ValidationError) as error:
        target_results_enter(
            target_set=setup["pledge"].target_set,
            as_of=date(2023, 12, 31),
            entries=[
                ResultEntry(target=targets[0], unit=u[0], achieved_value=100),
                ResultEntry(target=targets[0], unit=u[1], achieved_value=100),
            ],
        )
    assert error.value.messages == [
        "Xã Hoàng Việt không ký giao ước «Giao ước thi đua năm 2023 khối các xã, thị trấn» nên "
        "không nhập kết quả được. Hãy ghi chữ ký của đơn vị vào giao ước trước, hoặc chọn đúng "
        "đơn vị."
    ]
    assert TargetResult.objects.count() == 0


def test_a_ranking_with_missing_results_shows_the_gap_and_makes_no_decision():
    setup = bloc_setup()
    sign_all(setup)
    u = setup["units"]
    enter(setup, u[0], [150, None, None])  # one result, exceeded: 12 points, 2 gaps
    enter(setup, u[1], [100, 86, Decimal("2.5")])  # 30
    enter(setup, u[2], [90, 80, 3])  # 0
    enter(setup, u[3], [100, 80, 3])  # 10
    ranking = bloc_ranking(bloc=setup["bloc"], year=2023)
    # Units with every result come first; the gap is counted and never scored as zero.
    assert [(r.rank, r.unit.name, r.missing_results) for r in ranking.rows] == [
        (1, "Xã Hoàng Việt", 0),
        (2, "Xã Thụy Hùng", 0),
        (3, "Thị trấn Na Sầm", 0),
        (4, "Xã Tân Mỹ", 2),
    ]
    assert ranking.rows[3].score == 12 and ranking.rows[3].targets_met == 1
    assert not ranking.complete
    assert ranking.gaps == ["Xã Tân Mỹ: chưa có kết quả chỉ tiêu số 2, 3"]
    before = counts()
    with pytest.raises(ValidationError) as error:
        bloc_ranking_decision_create(
            bloc=setup["bloc"], year=2023, signed_date=date(2024, 1, 10), signer_name="A"
        )
    assert "còn thiếu 2 kết quả" in error.value.messages[0]
    assert "Xã Tân Mỹ: chưa có kết quả chỉ tiêu số 2, 3" in error.value.messages
    assert counts() == before


def test_a_result_without_a_value_or_grade_and_a_date_outside_the_year():
    setup = bloc_setup()
    sign_all(setup)
    target = setup["pledge"].target_set.targets.first()
    with pytest.raises(ValidationError) as error:
        target_results_enter(
            target_set=setup["pledge"].target_set,
            as_of=date(2021, 12, 31),
            entries=[ResultEntry(target=target, unit=setup["units"][0])],
        )
    text = " ".join(error.value.messages)
    assert "Ngày số liệu 31/12/2021 không thuộc năm 2023" in text
    assert "chưa có số thực hiện hoặc mức hoàn thành" in text
    assert TargetResult.objects.count() == 0


def test_review_dates_outside_the_movement_are_refused():
    authority = factories.authority()
    with pytest.raises(ValidationError) as error:
        campaign_launch(
            authority=authority,
            name="Phong trào thử",
            start_date=date(2023, 1, 1),
            end_date=date(2023, 12, 31),
            midterm_review_date=date(2024, 6, 1),
        )
    assert "Ngày sơ kết 01/06/2024 phải nằm trong thời gian của phong trào" in str(error.value)
    assert Campaign.objects.count() == 0


# --------------------------------------------------------------------------------- spreadsheet


def workbook(rows, title="Kết quả") -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(["BẢNG KẾT QUẢ THỰC HIỆN GIAO ƯỚC"])
    sheet.append(["Chỉ tiêu", "Đơn vị", "Thực hiện", "Ghi chú"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "ket-qua.xlsx"
    return data


def test_results_from_a_spreadsheet():
    setup = bloc_setup()
    sign_all(setup)
    rows = [
        [1, "Xã Tân Mỹ", 120, ""],
        [2, "xa tan my", "90,5", "gõ không dấu"],
        ["Tỷ lệ hộ nghèo cuối năm", "Xã Tân Mỹ", 2, None],
        [1, "u1", 95, None],  # by code
    ]
    saved = target_results_import(
        target_set=setup["pledge"].target_set, file=workbook(rows), as_of=date(2023, 12, 31)
    )
    assert len(saved) == 4
    result = TargetResult.objects.get(target__order=2, unit=setup["units"][0])
    assert result.achieved_value == Decimal("90.5") and result.note == "gõ không dấu"
    tally = target_set_results(target_set=setup["pledge"].target_set).tallies
    assert next(t for t in tally if t.unit == setup["units"][0]).label == "đạt 3/3 chỉ tiêu, vượt 3"


def test_a_bad_spreadsheet_names_sheet_row_and_column_and_saves_nothing():
    setup = bloc_setup()
    pledge_sign(
        pledge=setup["pledge"],
        signatures=[Signature(unit=u, signer_name="A") for u in setup["units"][:3]],
    )
    rows = [
        [1, "Xã Tân Mỹ", 120, ""],
        [2, "Xã Tân Mỹ", "nhiều", ""],
        [9, "Xã Tân Mỹ", 1, ""],
        [1, "Xã Thụy Hùng", 100, ""],  # a member who did not sign
        [1, "Phường Không Có", 100, ""],
        [3, "Xã Tân Mỹ", None, ""],
    ]
    with pytest.raises(ValidationError) as error:
        target_results_import(
            target_set=setup["pledge"].target_set, file=workbook(rows), as_of=date(2023, 12, 31)
        )
    assert error.value.messages == [
        "Trang «Kết quả», dòng 4, cột C (Thực hiện): «nhiều» không phải là số. "
        "Hãy ghi số, ví dụ 107,14.",
        "Trang «Kết quả», dòng 5, cột A (Chỉ tiêu): không có chỉ tiêu «9» trong bộ chỉ tiêu "
        "«Giao ước thi đua năm 2023 khối các xã, thị trấn». Ghi số thứ tự (1 đến 3) hoặc đúng "
        "nội dung chỉ tiêu.",
        "Trang «Kết quả», dòng 8, cột C (Thực hiện): chưa có số thực hiện.",
        "Trang «Kết quả», dòng 6, cột B (Đơn vị): Xã Thụy Hùng không ký giao ước «Giao ước thi "
        "đua năm 2023 khối các xã, thị trấn» nên không nhập kết quả được.",
        "Trang «Kết quả», dòng 7, cột B (Đơn vị): không tìm thấy đơn vị «Phường Không Có». "
        "Ghi đúng tên đơn vị như trong sổ.",
    ]
    assert TargetResult.objects.count() == 0


def test_a_file_that_is_not_a_workbook():
    setup = bloc_setup()
    # The one guarded reader of every import says what the file is instead.
    with pytest.raises(ValidationError, match=r"tệp văn bản hoặc CSV, không phải bảng tính Excel"):
        target_results_import(
            target_set=setup["pledge"].target_set,
            file=io.BytesIO(b"STT;Don vi;Thuc hien\n1;A;2\n"),
            as_of=date(2023, 12, 31),
            file_name="ket-qua.csv",
        )


# ------------------------------------------------------------------------------------ the paper


def test_the_pledge_pdf_has_the_targets_and_a_signature_table():
    setup = bloc_setup()
    sign_all(setup)
    pdf = pledge_pdf(pledge=setup["pledge"])
    assert pdf.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout
        fonts = subprocess.run(
            ["pdffonts", handle.name], capture_output=True, check=True, text=True
        ).stdout
    flat = " ".join(text.split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "BẢN GIAO ƯỚC THI ĐUA NĂM 2023" in flat
    assert "Văn Lãng, ngày 17 tháng 01 năm 2023" in flat
    assert "Thu ngân sách trên địa bàn" in flat and "% dự toán 100" in flat
    assert "Tỷ lệ hộ nghèo cuối năm" in flat and "không quá 2,5" in flat
    assert "Chức vụ, họ tên người ký" in flat and "Chữ ký" in flat
    for unit in setup["units"]:
        assert unit.name in flat
    assert "Người ký 3" in flat
    # Every glyph comes from the bundled Noto Serif: no fallback font is embedded.
    embedded = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert embedded and all("Noto-Serif" in name for name in embedded), fonts


# ------------------------------------------------------------------------ the ranking command


def test_ranking_json_from_the_command_is_exactly_as_specified():
    setup = bloc_setup()
    sign_all(setup)
    u = setup["units"]
    enter(setup, u[0], [120, 90, 2])
    enter(setup, u[1], [110, 86, 3])
    enter(setup, u[2], [100, 86, Decimal("2.5")])
    enter(setup, u[3], [95, 87, None])
    out = io.StringIO()
    call_command(
        "bloc_ranking", "--bloc", str(setup["bloc"].pk), "--year", "2023", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data == {
        "bloc": setup["bloc"].pk,
        "year": 2023,
        "ranking": [
            {"rank": 1, "unit": "Xã Tân Mỹ", "unit_id": u[0].pk, "score": 36,
             "targets_met": 3, "targets_total": 3, "targets_exceeded": 3, "missing_results": 0},
            {"rank": 2, "unit": "Thị trấn Na Sầm", "unit_id": u[2].pk, "score": 30,
             "targets_met": 3, "targets_total": 3, "targets_exceeded": 0, "missing_results": 0},
            {"rank": 3, "unit": "Xã Hoàng Việt", "unit_id": u[1].pk, "score": 22,
             "targets_met": 2, "targets_total": 2 + 1, "targets_exceeded": 1,
             "missing_results": 0},
            {"rank": 4, "unit": "Xã Thụy Hùng", "unit_id": u[3].pk, "score": 12,
             "targets_met": 1, "targets_total": 3, "targets_exceeded": 1, "missing_results": 1},
        ],
    }  # fmt: skip


def test_ranking_command_errors_are_vietnamese():
    setup = bloc_setup()
    with pytest.raises(CommandError, match="chưa có giao ước thi đua năm 2020"):
        call_command("bloc_ranking", "--bloc", str(setup["bloc"].pk), "--year", "2020")
    with pytest.raises(CommandError, match="Không có khối thi đua mã 999999"):
        call_command("bloc_ranking", "--bloc", "999999", "--year", "2023")


def test_ranking_queries_do_not_grow_with_units(django_assert_max_num_queries):
    names = [f"Xã Thử {i:02d}" for i in range(30)]
    setup = bloc_setup(names=names)
    sign_all(setup)
    for unit in setup["units"]:
        enter(setup, unit, [100, 86, 2])
    with django_assert_max_num_queries(5):
        ranking = bloc_ranking(bloc=setup["bloc"], year=2023)
        assert [r.score for r in ranking.rows] == [Decimal(32)] * 30
        assert [r.rank for r in ranking.rows] == [1] * 30
