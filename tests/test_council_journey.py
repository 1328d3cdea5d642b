"""In Chromium: a Huân chương proposal posted, a comment on the public page, a council session
where the vote is first refused for want of a quorum, then held, a member stepping aside on his
own line, tallies entered, a draft decision holding the passed line only, and the unit seeing
each line's outcome in its portal."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registry.models import (
    Authority,
    AwardType,
    Council,
    CouncilMember,
    Decision,
    PostingComment,
    Round,
    Unit,
)
from registry.models.trust import AuthorityMembership
from registry.services.accounts import CLERK_GROUP, groups_ensure
from registry.services.catalogue import catalogue_load
from registry.services.proposals import (
    proposal_attach,
    proposal_checklist,
    proposal_create,
    proposal_line_add,
    proposal_receive,
    proposal_submit,
    round_save,
    unit_account_create,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-thu-12"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def received_proposal(round, school, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    proposal = proposal_create(
        round=round, unit=school, user=user, submission_number="12/TTr-THCS",
        submission_date=date(2026, 9, 20),
    )  # fmt: skip
    for name, code in (
        ("Nguyễn Thị Lan", "giay-khen"),
        ("Hoàng Văn Nam", "giay-khen"),
        ("Hoàng Văn Mạnh", "hcld-3"),
    ):
        proposal_line_add(
            proposal=proposal, user=user, award_type=AwardType.objects.get(code=code),
            recipient_kind="ca-nhan", name=name, achievement="Hoàn thành xuất sắc nhiệm vụ",
        )  # fmt: skip
    checklist = proposal_checklist(proposal=proposal)
    for item in checklist.proposal_items:
        kind = item.requirement.document_kind
        proposal_attach(proposal=proposal, user=user, document_kind=kind,
                        upload=SimpleUploadedFile(f"{kind}.pdf", PDF, "application/pdf"))  # fmt: skip
    for entry in checklist.lines:
        for item in entry.items:
            kind = item.requirement.document_kind
            proposal_attach(proposal=proposal, user=user, document_kind=kind, line=entry.line,
                            upload=SimpleUploadedFile(f"{kind}-{entry.line.pk}.pdf", PDF,
                                                      "application/pdf"))  # fmt: skip
    proposal_submit(proposal=proposal, user=user)
    return proposal_receive(proposal=proposal)


def test_posting_council_and_outcome(live_server, page, browser):
    base = live_server.url
    catalogue_load()
    groups_ensure()
    authority = Authority.objects.get(code="xa-na-sam-ubnd")
    school = Unit.objects.create(name="Trường THCS Na Sầm")
    round = round_save(
        round=Round(authority=authority, year=2026, title="Xét khen thưởng năm 2026",
                    deadline=date(2026, 9, 30))
    )  # fmt: skip
    round.award_types.set(AwardType.objects.filter(code__in=["giay-khen", "hcld-3"]))
    unit_user = unit_account_create(username="thcs.nasam", password=PASSWORD, unit=school)
    clerk = get_user_model().objects.create_user("canbo.nasam", password=PASSWORD, is_staff=True)
    clerk.groups.add(Group.objects.get(name=CLERK_GROUP))
    AuthorityMembership.objects.create(user=clerk, authority=authority)
    proposal = received_proposal(round, school, unit_user)
    council = Council.objects.create(
        authority=authority, name="Hội đồng Thi đua – Khen thưởng xã Na Sầm",
        valid_from=date(2026, 1, 1),
    )  # fmt: skip
    for order, (name, role) in enumerate(
        [("Hoàng Văn A", "chu-tich"), ("Lục Thị B", "pho-chu-tich"), ("Hoàng Văn Nam", "uy-vien"),
         ("Nông Văn C", "uy-vien"), ("Lý Thị D", "uy-vien"), ("Vi Thị E", "thu-ky")]
    ):  # fmt: skip
        CouncilMember.objects.create(council=council, name=name, role=role, order=order)

    office = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    office.goto(base + "/admin/login/")
    office.fill("input[name=username]", "canbo.nasam")
    office.fill("input[name=password]", PASSWORD)
    office.click("input[type=submit]")
    office.wait_for_url(base + "/admin/")

    # The clerk posts the Huân chương line.
    office.goto(base + "/admin/registry/posting/add/")
    office.select_option("select[name=round]", str(round.pk))
    office.fill("input[name=public_from]", "01/10/2026")
    office.click("input[name=_save]")
    office.wait_for_url(re.compile(r".*/admin/registry/posting/$"))
    office.click("#result_list tbody th a")
    posted = office.locator(".field-posted_lines").inner_text()
    assert "Hoàng Văn Mạnh – Huân chương Lao động hạng Ba" in posted
    assert "Nguyễn Thị Lan" not in posted
    public_url = office.locator(".field-public_link a").get_attribute("href")

    # Someone comments on the public page, no login, on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(base + public_url)
    assert "Hoàng Văn Mạnh" in phone.locator("#posted-lines").inner_text()
    phone.fill("#id_name", "Trần Văn Dân")
    phone.fill("#id_text", "Tôi đồng ý với đề nghị.")
    phone.click("button[type=submit]")
    phone.wait_for_selector("#comment-sent")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert PostingComment.objects.get().name == "Trần Văn Dân"

    # The session: too few members at first.
    office.goto(base + "/admin/registry/councilsession/add/")
    office.select_option("select[name=council]", str(council.pk))
    office.select_option("select[name=round]", str(round.pk))
    office.fill("input[name=date]", "25/11/2026")
    office.fill("input[name=minutes_number]", "05/BB-HĐTĐKT")
    office.click("input[name=_save]")
    office.wait_for_url(re.compile(r".*/dieu-hanh/$"))
    form = office.locator("#attendance-form")
    for name in ("Hoàng Văn A", "Lục Thị B", "Nông Văn C"):
        form.locator("label", has_text=name).locator("input").check()
    form.locator("input[type=submit]").click()
    office.wait_for_selector("text=Đã ghi điểm danh: 3 thành viên có mặt.")
    lan = office.locator("tr.session-line", has_text="Nguyễn Thị Lan")
    lan.locator("input[name^=agree]").fill("3")
    lan.locator("input[name^=disagree]").fill("0")
    lan.locator("button").click()
    office.wait_for_selector("text=Chưa đủ số thành viên dự họp")
    assert "3/5" in office.locator(".messagelist").first.inner_text()

    # Then met: Hoàng Văn Nam arrives, and must step aside on his own line.
    form = office.locator("#attendance-form")
    form.locator("label", has_text="Hoàng Văn Nam").locator("input").check()
    form.locator("input[type=submit]").click()
    office.wait_for_selector("text=Đã ghi điểm danh: 4 thành viên có mặt.")
    assert "Hoàng Văn Nam" in office.locator("#recusals-required").inner_text()
    nam = office.locator("tr.session-line", has_text="Hoàng Văn Nam")
    nam.locator("input[name^=agree]").fill("2")
    nam.locator("input[name^=disagree]").fill("1")
    nam.locator("button").click()
    office.wait_for_selector("text=Phải ghi người không tham gia biểu quyết dòng này trước")
    recusal = office.locator("#recusal-form")
    recusal.locator("select[name=member]").select_option(label="Hoàng Văn Nam")
    recusal.locator("select[name=line]").select_option(label="Hoàng Văn Nam – Giấy khen")
    recusal.locator("input[name=reason]").fill("Là người được đề nghị khen thưởng")
    recusal.locator("input[type=submit]").click()
    office.wait_for_selector("text=Đã ghi: Hoàng Văn Nam không tham gia biểu quyết")

    def vote(name, agree, disagree):
        row = office.locator("tr.session-line", has_text=name)
        row.locator("input[name^=agree]").fill(str(agree))
        row.locator("input[name^=disagree]").fill(str(disagree))
        row.locator("input[name^=blank]").fill("0")
        row.locator("button").click()
        office.wait_for_selector(f"text=“{name}”:")

    vote("Nguyễn Thị Lan", 3, 1)
    vote("Hoàng Văn Nam", 1, 2)
    vote("Hoàng Văn Mạnh", 1, 3)

    def row_text(name):
        return office.locator("tr.session-line", has_text=name).first.inner_text()

    assert "Thông qua" in row_text("Nguyễn Thị Lan")
    nam_row = row_text("Hoàng Văn Nam")
    assert nam_row.count("Hoàng Văn Nam") == 2 and "Không thông qua" in nam_row
    assert "Không thông qua" in row_text("Hoàng Văn Mạnh")
    office.click("input[value='Kết thúc phiên họp, thông báo kết quả']")
    office.wait_for_selector("text=Đã kết thúc phiên họp")
    draft = office.locator("#draft-form")
    draft.locator("input[name=signer_title]").fill("CHỦ TỊCH")
    draft.locator("input[name=signer_name]").fill("Hoàng Văn A")
    draft.locator("input[type=submit]").click()
    office.wait_for_url(re.compile(r".*/admin/registry/decision/\d+/change/"))
    decision = Decision.objects.get()
    assert [a.recipient_name for a in decision.awards.all()] == ["Nguyễn Thị Lan"]
    assert "05/BB-HĐTĐKT" in decision.proposal
    assert office.evaluate("document.documentElement.scrollWidth") <= 1366

    # The unit sees each line's outcome.
    page.goto(base + "/don-vi/")
    page.fill("#id_username", "thcs.nasam")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/don-vi/")
    page.goto(base + f"/don-vi/ho-so/{proposal.pk}/")
    outcome = page.locator("#council-outcome").inner_text()
    assert "Nguyễn Thị Lan – Giấy khen: Hội đồng: thông qua (3 đồng ý" in outcome
    assert "Hoàng Văn Mạnh – Huân chương Lao động hạng Ba: Hội đồng: không thông qua" in outcome
