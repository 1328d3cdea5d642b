"""One write path for award lines: the same refusal on every path, history on every write."""

import io
import itertools
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from registry.models import Authority, Award, AwardType, Decision, Individual
from registry.services.awards import (
    ELIGIBILITY_REASON_NEEDED,
    award_add,
    awards_add,
    recipient_fields,
)
from registry.services.decisions import decision_create, decision_issue
from registry.services.imports import import_preview
from tests import factories
from tests.data.books import xlsx

pytestmark = pytest.mark.django_db

_numbers = itertools.count(500)
HEADER = ["STT", "Họ và tên", "Năm sinh", "Đơn vị công tác", "Thành tích", "Lý do vẫn đề nghị"]
REASON = "Hội đồng đề nghị: sáng kiến cấp tỉnh đang chờ công nhận (biên bản số 7/BB-HĐ)."


@pytest.fixture(scope="module", autouse=True)
def demo(demo_data):
    return demo_data


@pytest.fixture
def clerk():
    return get_user_model().objects.create_superuser("thu-ky", "thu-ky@example.vn", "mat-khau-1")


def cstd_decision() -> Decision:
    """A provincial draft for Chiến sĩ thi đua cấp tỉnh, the rule in force on its date."""
    return decision_create(
        authority=Authority.objects.get(code="hatinh-ubnd"),
        number=f"{next(_numbers)}/QĐ-UBND",
        signed_date=date(2023, 11, 8),
        subject="Về việc tặng danh hiệu Chiến sĩ thi đua cấp tỉnh",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký Thử",
    )


def cstd() -> AwardType:
    return AwardType.objects.get(code="cstd-tinh")


def newcomer(name="Phan Thị Mới") -> Individual:
    """Nobody has given her anything: she meets no rule for Chiến sĩ thi đua cấp tỉnh."""
    return factories.individual(name, registered_by=Authority.objects.get(code="hatinh-ubnd"))


def refusal(error: ValidationError) -> list[str]:
    return [m for m in error.messages if ELIGIBILITY_REASON_NEEDED in m]


def workbook(reason: str = "") -> bytes:
    return xlsx([HEADER, [1, "Phan Thị Mới", 1985, "Trường THCS Hoàng Việt", "Năm 2023", reason]])


# --- The same refusal on every path -------------------------------------------------------------


def test_service_refuses_an_ineligible_line_without_a_reason_and_saves_it_with_one():
    decision, person = cstd_decision(), newcomer()
    with pytest.raises(ValidationError) as refused:
        award_add(decision=decision, award_type=cstd(), recipient=person, period_from=2023, period_to=2023)  # fmt: skip
    assert refusal(refused.value) and refused.value.messages[0].startswith("Dòng 1 (Phan Thị Mới)")
    assert not decision.awards.exists()
    award = award_add(
        decision=decision, award_type=cstd(), recipient=person, period_from=2023, period_to=2023,
        eligibility_override=REASON,
    )  # fmt: skip
    assert Award.objects.get(pk=award.pk).eligibility_override == REASON


def test_admin_form_shows_the_same_refusal(admin_client):
    decision, person = cstd_decision(), newcomer()
    data = {
        "authority": decision.authority_id, "kind": "khen-thuong", "number": decision.number,
        "signed_date": "08/11/2023", "place": "Hà Tĩnh", "subject": decision.subject,
        "loai_hinh": "thuong-xuyen", "signer_prefix": "", "signer_title": "CHỦ TỊCH",
        "signer_name": "Người Ký Thử", "awards-TOTAL_FORMS": "1", "awards-INITIAL_FORMS": "0",
        "awards-MIN_NUM_FORMS": "0", "awards-MAX_NUM_FORMS": "1000",
        "awards-0-award_type": cstd().pk, "awards-0-loai_hinh": "thuong-xuyen",
        "awards-0-individual": person.pk, "awards-0-period_from": "2023",
        "awards-0-period_to": "2023", "awards-0-eligibility_override": "",
    }  # fmt: skip
    url = reverse("admin:registry_decision_change", args=[decision.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert ELIGIBILITY_REASON_NEEDED in response.content.decode()
    assert not decision.awards.exists()
    response = admin_client.post(url, {**data, "awards-0-eligibility_override": REASON})
    assert response.status_code == 302
    assert decision.awards.get().eligibility_override == REASON


def test_import_honorees_command_refuses_without_the_column_and_saves_with_it(tmp_path):
    decision = cstd_decision()
    path = tmp_path / "cstd.xlsx"
    path.write_bytes(workbook())
    stderr = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_honorees", str(path), "--decision", str(decision.pk), "--award-type",
            "cstd-tinh", stdout=io.StringIO(), stderr=stderr,
        )  # fmt: skip
    assert "Trang “Danh sách”, dòng 2" in stderr.getvalue()
    assert ELIGIBILITY_REASON_NEEDED in stderr.getvalue()
    assert not decision.awards.exists()
    assert not Individual.objects.filter(full_name="Phan Thị Mới").exists()

    path.write_bytes(workbook(REASON))
    call_command(
        "import_honorees", str(path), "--decision", str(decision.pk), "--award-type", "cstd-tinh",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    assert decision.awards.get().eligibility_override == REASON


def test_admin_import_asks_a_reason_for_each_warned_line(admin_client):
    decision = cstd_decision()
    batch = import_preview(
        kind="danh-sach", data=workbook(), file_name="cstd.xlsx", decision=decision,
        award_type=cstd(),
    )  # fmt: skip
    url = reverse("admin:registry_importbatch_preview", args=[batch.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="reason-0"' in page
    response = admin_client.post(url, {"confirm": "1"})
    assert ELIGIBILITY_REASON_NEEDED in response.content.decode()
    assert not decision.awards.exists()
    response = admin_client.post(url, {"confirm": "1", "reason-0": REASON})
    assert response.status_code == 302
    assert decision.awards.get().eligibility_override == REASON


def test_issue_refuses_a_line_written_around_the_service():
    decision, person = cstd_decision(), newcomer()
    Award.objects.create(
        decision=decision, authority=decision.authority, line_no=1, award_type=cstd(),
        individual=person, recipient_name=person.full_name, period_from=2023, period_to=2023,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        decision_issue(decision=decision)
    assert refusal(refused.value)
    decision.refresh_from_db()
    assert not decision.is_issued
    Award.objects.filter(decision=decision).update(eligibility_override=REASON)
    assert decision_issue(decision=decision).is_issued


def test_a_past_decision_from_a_register_is_recorded_as_signed():
    decision, person = cstd_decision(), newcomer()
    line = Award(award_type=cstd(), period_from=2022, period_to=2022, **recipient_fields(person))
    awards_add(decision=decision, awards=[line], past=True)
    assert decision_issue(decision=decision, past=True).is_issued
