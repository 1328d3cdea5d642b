"""The eligibility warning on the decision page: shown on its line with the reason field to fill;
saved with the council's reason, shown again with it, changed through the page."""

import re
from datetime import date

import pytest
from django.urls import reverse

from registry.models import Authority, Award, AwardType, Individual
from registry.services.decisions import decision_create

pytestmark = pytest.mark.django_db

REASON = "Hội đồng xét thành tích đột xuất năm 2024 tương đương (biên bản số 5/BB-HĐ)."


@pytest.fixture(scope="module", autouse=True)
def demo(demo_data):
    return demo_data


def post_data(decision, person, *, award=None, reason=None) -> dict:
    line = {
        "id": award.pk if award else "",
        "recipient_kind": "ca-nhan",
        "recipient": person.pk,
        "recipient_label": award.recipient_name if award else "",
        "award_type": AwardType.objects.get(code="cstd-tinh").pk,
        "loai_hinh": "thuong-xuyen",
        "period_from": "2022",
        "period_to": "2024",
        "achievement": "Thành tích xuất sắc",
    }
    if reason is not None:
        line["eligibility_override"] = reason
    data = {
        "authority": decision.authority_id,
        "kind": "khen-thuong",
        "number": decision.number,
        "signed_date": decision.signed_date.strftime("%d/%m/%Y"),
        "place": "Hà Tĩnh",
        "subject": decision.subject,
        "loai_hinh": "thuong-xuyen",
        "signer_prefix": "",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Người Ký",
        "awards-TOTAL_FORMS": "1",
        "awards-INITIAL_FORMS": "1" if award else "0",
        "_continue": "1",
    }
    data.update({f"awards-0-{k}": v for k, v in line.items()})
    return data


def test_eligibility_override_round_trip(admin_client):
    decision = decision_create(
        authority=Authority.objects.get(code="hatinh-ubnd"),
        number="99/QĐ-UBND",
        signed_date=date(2025, 3, 1),
        subject="Về việc tặng danh hiệu Chiến sĩ thi đua cấp tỉnh",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký",
    )
    teacher = Individual.objects.get(full_name="Bùi Thu Hoa")  # CSTĐCS ends in 2023
    url = reverse("admin:registry_decision_change", args=[decision.pk])

    # No reason: the warning is on the line, with the field to write it in.
    response = admin_client.post(url, post_data(decision, teacher))
    assert response.status_code == 200
    html = response.content.decode()
    line = re.search(r'<tbody class="dp-line has-errors" id="dong-moi-0">.*?</tbody>', html, re.S)
    assert line, "the failing line is marked"
    assert "thiếu năm 2024: chưa có Chiến sĩ thi đua cơ sở" in line.group()
    assert 'name="awards-0-eligibility_override"' in line.group()
    assert '<a href="#dong-moi-0">' in html  # the summary leads there
    assert not Award.objects.filter(decision=decision).exists()

    # With the council's reason: saved.
    response = admin_client.post(url, post_data(decision, teacher, reason=REASON))
    assert response.status_code == 302
    award = Award.objects.get(decision=decision)
    assert award.eligibility_override == REASON

    # Opened again, the reason is on its line, and can be changed there.
    html = admin_client.get(url).content.decode()
    assert f">{REASON}</textarea>" in html
    changed = REASON.replace("5/BB-HĐ", "6/BB-HĐ")
    response = admin_client.post(url, post_data(decision, teacher, award=award, reason=changed))
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.eligibility_override == changed

    # Emptied again, the service asks for it once more and keeps the recorded one.
    response = admin_client.post(url, post_data(decision, teacher, award=award, reason=""))
    assert response.status_code == 200
    assert "Nếu Hội đồng vẫn đề nghị, hãy ghi lý do" in response.content.decode()
    award.refresh_from_db()
    assert award.eligibility_override == changed
