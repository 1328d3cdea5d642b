"""In Chromium: a unit's proposal from the portal to a draft decision, and back to the unit.

The unit is refused while a document is missing, completes and sends; the clerk returns it with
a reason; the unit answers and sends again; the clerk receives it and puts its line into a draft
decision; the unit sees the outcome. Another unit's account sees none of it, by any address.
"""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registry.models import Authority, AwardType, Decision, ProposalStatus, Round, Unit
from registry.models.trust import AuthorityMembership
from registry.services.accounts import CLERK_GROUP, groups_ensure
from registry.services.catalogue import catalogue_load
from registry.services.proposals import round_save, unit_account_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-thu-12"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def portal_login(page, base, username):
    page.goto(base + "/don-vi/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/don-vi/")


def attach(page, kind, name, line=None):
    form = page.locator("#attach-form")
    form.locator("select[name=document_kind]").select_option(kind)
    if line:
        form.locator("select[name=line]").select_option(label=line)
    form.locator("input[name=file]").set_input_files(pdf(name))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Đã đính kèm tài liệu.")


def test_proposal_from_the_portal_to_a_draft_and_back(live_server, page, browser):
    base = live_server.url
    catalogue_load()
    groups_ensure()
    authority = Authority.objects.get(code="xa-na-sam-ubnd")
    school = Unit.objects.create(name="Trường THCS Na Sầm")
    other = Unit.objects.create(name="Trường Tiểu học Hoàng Văn Thụ")
    round = round_save(
        round=Round(
            authority=authority, year=2026, title="Xét khen thưởng năm học 2025–2026",
            deadline=date(2026, 12, 15),
        )
    )  # fmt: skip
    round.award_types.set(AwardType.objects.filter(code__in=["giay-khen", "ldtt"]))
    unit_account_create(username="thcs.nasam", password=PASSWORD, unit=school)
    unit_account_create(username="th.hvt", password=PASSWORD, unit=other)
    clerk = get_user_model().objects.create_user("canbo.nasam", password=PASSWORD, is_staff=True)
    clerk.groups.add(Group.objects.get(name=CLERK_GROUP))
    AuthorityMembership.objects.create(user=clerk, authority=authority)
    giay_khen = AwardType.objects.get(code="giay-khen")

    # The unit opens a proposal for the round and fills it in.
    portal_login(page, base, "thcs.nasam")
    page.click("#rounds button:has-text('Lập hồ sơ')")
    page.wait_for_selector("text=Đã lập hồ sơ nháp")
    proposal_url = page.url
    page.fill("#id_submission_number", "12/TTr-THCS")
    page.fill("#id_submission_date", "20/11/2026")
    page.click("button:has-text('Lưu tờ trình')")
    page.wait_for_selector("text=Đã lưu số, ngày tờ trình.")
    form = page.locator("#line-form")
    form.locator("select[name=recipient_kind]").select_option("ca-nhan")
    form.locator("input[name=name]").fill("Nguyễn Thị Lan")
    form.locator("input[name=position]").fill("Giáo viên")
    form.locator("select[name=award_type]").select_option(str(giay_khen.pk))
    form.locator("textarea[name=achievement]").fill("Hoàn thành xuất sắc nhiệm vụ năm học")
    form.locator("input[name=review_result]").fill("25/27 phiếu (92,6%)")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Đã thêm dòng 1: Nguyễn Thị Lan.")
    attach(page, "to-trinh", "to-trinh.pdf")
    attach(page, "bien-ban-binh-xet", "bien-ban.pdf")
    assert "Còn thiếu" in page.locator("#checklist").inner_text()

    # Sent with the line's report missing: refused, saying what and for which line.
    page.click("#submit-form button")
    refused = page.locator(".messages").inner_text()
    assert "Dòng 1 (Nguyễn Thị Lan, Giấy khen) còn thiếu: Báo cáo thành tích." in refused
    assert page.locator("#proposal-status").inner_text() == "Nháp"
    attach(page, "bao-cao-thanh-tich", "bao-cao.pdf", line="Dòng 1: Nguyễn Thị Lan")
    assert "Hồ sơ đủ các thành phần theo quy định." in page.locator("#checklist").inner_text()
    page.click("#submit-form button")
    page.wait_for_selector("text=Đã gửi hồ sơ đến cơ quan thi đua, khen thưởng.")
    assert page.locator("#proposal-status").inner_text() == "Đã gửi"
    assert page.locator("#line-form").count() == 0  # no more editing

    # The clerk returns it with a reason.
    office = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    office.goto(base + "/admin/login/")
    office.fill("input[name=username]", "canbo.nasam")
    office.fill("input[name=password]", PASSWORD)
    office.click("input[type=submit]")
    office.wait_for_url(base + "/admin/")
    office.goto(base + "/admin/registry/proposal/?status=da-gui")
    office.click("#result_list tbody th a")
    office.fill("textarea[name=reason]", "Biên bản bình xét chưa có chữ ký của chủ tọa.")
    office.click("input[value='Trả lại hồ sơ']")
    office.wait_for_selector("text=Đã trả lại hồ sơ cho đơn vị, kèm lý do.")

    # The unit sees the reason, answers and sends again.
    page.goto(proposal_url)
    assert "Biên bản bình xét chưa có chữ ký của chủ tọa." in page.locator("#return").inner_text()
    page.fill("#id_answer", "Đã bổ sung biên bản có chữ ký.")
    page.click("#return button")
    page.wait_for_selector("text=Đã lưu giải trình.")
    attach(page, "bien-ban-binh-xet", "bien-ban-da-ky.pdf")
    page.click("#submit-form button:has-text('Gửi lại hồ sơ')")
    page.wait_for_selector("text=Đã gửi hồ sơ đến cơ quan thi đua, khen thưởng.")

    # The clerk receives it and puts its line into a draft decision.
    office.reload()
    assert "Đã bổ sung biên bản có chữ ký." in office.content()
    office.click("input[value='Tiếp nhận hồ sơ']")
    office.wait_for_selector("text=Đã tiếp nhận hồ sơ.")
    office.goto(f"{base}/admin/registry/round/{round.pk}/de-nghi/")
    row = office.locator("#round-lines tr.round-line", has_text="Nguyễn Thị Lan")
    assert "Trường THCS Na Sầm (Tờ trình 12/TTr-THCS)" in row.inner_text()
    row.locator("input[type=checkbox]").check()
    office.fill("input[name=signed_date]", "20/12/2026")
    office.fill("input[name=signer_title]", "CHỦ TỊCH")
    office.fill("input[name=signer_name]", "Hoàng Văn A")
    office.click("input[value='Tạo dự thảo quyết định']")
    office.wait_for_url(re.compile(r".*/admin/registry/decision/\d+/change/"))
    decision = Decision.objects.get(authority=authority)
    assert decision.status == "draft"
    assert "Tờ trình số 12/TTr-THCS ngày 20/11/2026 của Trường THCS Na Sầm" in decision.proposal
    assert decision.awards.get().recipient_name == "Nguyễn Thị Lan"

    # The unit sees the outcome.
    page.goto(base + "/don-vi/")
    assert "Đã đưa vào dự thảo quyết định" in page.locator("#proposals").inner_text()
    page.goto(proposal_url)
    outcome = page.locator("#outcome").inner_text()
    assert decision.number in outcome and "Nguyễn Thị Lan – Giấy khen" in outcome
    assert page.locator("#proposal-status").inner_text() == "Đã tiếp nhận"
    attachment_url = page.locator("#attachments a").first.get_attribute("href")
    assert page.request.get(base + attachment_url).status == 200

    # Another unit's account: none of it, by any address or id.
    stranger = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    portal_login(stranger, base, "th.hvt")
    assert "Xét khen thưởng năm học 2025–2026</a>" not in stranger.content()
    assert stranger.locator("#proposals").inner_text().count("Nguyễn") == 0
    proposal = school.proposals.get()
    assert proposal.status == ProposalStatus.RECEIVED
    line = proposal.lines.get()
    for path in (
        proposal_url.removeprefix(base),
        f"/don-vi/ho-so/{proposal.pk}/dong/{line.pk}/",
        attachment_url,
        *[f"/don-vi/ho-so/{proposal.pk}/tai-lieu/{a.pk}/" for a in proposal.attachments.all()],
    ):
        response = stranger.goto(base + path)
        assert response.status == 404, path
        assert "Nguyễn Thị Lan" not in stranger.content()
    # Nor through the office's own file address, nor the admin.
    stored = proposal.attachments.first().file.url
    stranger.goto(base + stored)
    assert "/admin/login/" in stranger.url
    stranger.goto(base + f"/admin/registry/proposal/{proposal.pk}/change/")
    assert "/admin/login/" in stranger.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
