"""The units' portal: a unit's account sees its own proposals only, the rule's warnings show on
each line, bad input names the field; the office's admin pages return and receive."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from registry.models import (
    Attachment,
    Authority,
    AwardType,
    Individual,
    Proposal,
    ProposalStatus,
    Rating,
    Round,
    Unit,
)
from registry.models.trust import AuthorityMembership
from registry.services.accounts import CLERK_GROUP, groups_ensure
from registry.services.catalogue import catalogue_load
from registry.services.proposals import (
    proposal_attach,
    proposal_create,
    proposal_line_add,
    unit_account_create,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(scope="module", autouse=True)
def law(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        catalogue_load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def world():
    authority = Authority.objects.get(code="xa-na-sam-ubnd")
    school = Unit.objects.create(name="Trường THCS Na Sầm")
    other = Unit.objects.create(name="Trường Tiểu học Hoàng Văn Thụ")
    round = Round.objects.create(
        authority=authority,
        year=2026,
        title="Xét khen thưởng năm 2026",
        deadline=date(2026, 12, 15),
    )
    round.award_types.set(AwardType.objects.filter(code__in=["giay-khen", "ldtt"]))
    school_user = unit_account_create(username="thcs", password="Mk-dai-du-12", unit=school)
    other_user = unit_account_create(username="tieuhoc", password="Mk-dai-du-12", unit=other)
    groups_ensure()
    clerk = get_user_model().objects.create_user("canbo", password="x", is_staff=True)
    clerk.groups.add(*Group.objects.filter(name=CLERK_GROUP))
    AuthorityMembership.objects.create(user=clerk, authority=authority)
    proposal = proposal_create(round=round, unit=school, user=school_user)
    line = proposal_line_add(
        proposal=proposal, user=school_user, award_type=AwardType.objects.get(code="giay-khen"),
        recipient_kind="ca-nhan", name="Nguyễn Thị Lan",
    )  # fmt: skip
    attachment = proposal_attach(
        proposal=proposal, user=school_user, document_kind="to-trinh",
        upload=SimpleUploadedFile("to-trinh.pdf", PDF),
    )  # fmt: skip
    return locals()


def test_login_page_and_redirect(client, world):
    page = client.get(reverse("portal_home"))
    assert page.status_code == 302 and "/don-vi/dang-nhap/" in page["Location"]
    page = client.get(reverse("portal_login"))
    assert "Đăng nhập tài khoản đơn vị" in page.content.decode()
    # A unit's account is not staff: the admin refuses it.
    client.force_login(world["school_user"])
    assert client.get("/admin/").status_code == 302


def test_own_unit_sees_its_proposal_and_the_checklist(client, world):
    client.force_login(world["school_user"])
    home = client.get(reverse("portal_home")).content.decode()
    assert "Xét khen thưởng năm 2026" in home and "Nháp" in home
    page = client.get(reverse("portal_proposal", args=[world["proposal"].pk])).content.decode()
    assert "Nguyễn Thị Lan" in page
    assert "Còn thiếu" in page and "Báo cáo thành tích" in page
    download = client.get(
        reverse("portal_attachment", args=[world["proposal"].pk, world["attachment"].pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_another_unit_sees_nothing_by_any_url(client, world):
    client.force_login(world["other_user"])
    p, ln, a = world["proposal"], world["line"], world["attachment"]
    assert "Xét khen thưởng năm 2026</a>" not in client.get(reverse("portal_home")).content.decode()
    for url in (
        reverse("portal_proposal", args=[p.pk]),
        reverse("portal_line_edit", args=[p.pk, ln.pk]),
        reverse("portal_attachment", args=[p.pk, a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("portal_submit", args=[p.pk]),
        reverse("portal_line_remove", args=[p.pk, ln.pk]),
        reverse("portal_attachment_remove", args=[p.pk, a.pk]),
        reverse("portal_line_add", args=[p.pk]),
    ):
        assert client.post(url, {"name": "X"}).status_code == 404, url
    # Nor through the office's private file address (staff only).
    response = client.get(a.file.url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    p.refresh_from_db()
    assert p.status == ProposalStatus.DRAFT and p.lines.count() == 1
    assert Attachment.objects.filter(pk=a.pk).exists()


def test_line_failing_the_rule_warns_in_the_portal(client, world):
    person = Individual.objects.create(
        full_name="Hoàng Văn Nam", unit=world["school"], registered_by=world["authority"]
    )
    Rating.objects.create(individual=person, year=2026, grade="KHTNV")
    client.force_login(world["school_user"])
    response = client.post(
        reverse("portal_line_add", args=[world["proposal"].pk]),
        {"recipient_kind": "ca-nhan", "name": "Hoàng Văn Nam",
         "award_type": AwardType.objects.get(code="ldtt").pk, "period_to": 2026},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Dòng 2 có cảnh báo tiêu chuẩn" in page
    assert "Chưa đủ tiêu chuẩn Lao động tiên tiến năm 2026" in page
    assert "có trong sổ" in page


def test_bad_input_names_the_field_and_changes_nothing(client, world):
    client.force_login(world["school_user"])
    p = world["proposal"]
    response = client.post(
        reverse("portal_line_add", args=[p.pk]),
        {"recipient_kind": "ca-nhan", "name": "", "award_type": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Hãy nhập họ tên" in page
    response = client.post(
        reverse("portal_attach", args=[p.pk]),
        {"document_kind": "to-trinh", "file": SimpleUploadedFile("a.pdf", b"MZ not a pdf")},
    )
    assert response.status_code == 400
    assert "không phải PDF, ảnh" in response.content.decode()
    response = client.post(reverse("portal_submit", args=[p.pk]), follow=True)
    assert "Hãy nhập số tờ trình trước khi gửi." in response.content.decode()
    assert p.lines.count() == 1 and p.attachments.count() == 1
    p.refresh_from_db()
    assert p.status == ProposalStatus.DRAFT


def test_clerk_returns_and_receives_in_the_admin(client, world):
    p = world["proposal"]
    Proposal.objects.filter(pk=p.pk).update(status=ProposalStatus.SUBMITTED)
    client.force_login(world["clerk"])
    page = client.get(reverse("admin:registry_proposal_change", args=[p.pk])).content.decode()
    assert "Tiếp nhận hồ sơ" in page and "Còn thiếu" in page
    response = client.post(
        reverse("admin:registry_proposal_return", args=[p.pk]), {"reason": ""}, follow=True
    )
    assert "Hãy ghi lý do trả lại hồ sơ." in response.content.decode()
    response = client.post(reverse("admin:registry_proposal_receive", args=[p.pk]), follow=True)
    assert "Chưa tiếp nhận được" in response.content.decode()
    client.post(
        reverse("admin:registry_proposal_return", args=[p.pk]), {"reason": "Thiếu biên bản"}
    )
    p.refresh_from_db()
    assert p.status == ProposalStatus.RETURNED and p.return_reason == "Thiếu biên bản"
    # The office's private file address serves it to the clerk.
    assert client.get(world["attachment"].file.url).status_code == 200
    assert (
        client.get(reverse("admin:registry_round_lines", args=[world["round"].pk])).status_code
        == 200
    )
    assert client.get(reverse("admin:registry_round_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:registry_proposal_changelist") + "?status=bi-tra-lai").status_code
        == 200
    )


def test_another_office_clerk_sees_none_of_it(client, world):
    stranger = get_user_model().objects.create_user("canbo2", password="x", is_staff=True)
    stranger.groups.add(*Group.objects.filter(name=CLERK_GROUP))
    AuthorityMembership.objects.create(
        user=stranger, authority=Authority.objects.get(code="honglinh-ubnd")
    )
    client.force_login(stranger)
    assert (
        client.get(reverse("admin:registry_round_lines", args=[world["round"].pk])).status_code
        == 404
    )
    assert client.get(world["attachment"].file.url).status_code == 404


def test_a_line_is_edited_while_draft_only(client, world):
    client.force_login(world["school_user"])
    p, ln = world["proposal"], world["line"]
    edit = reverse("portal_line_edit", args=[p.pk, ln.pk])
    assert "Nguyễn Thị Lan" in client.get(edit).content.decode()
    data = {"recipient_kind": "ca-nhan", "name": "Nguyễn Thị Lan Anh", "period_to": 2026,
            "award_type": AwardType.objects.get(code="giay-khen").pk}  # fmt: skip
    assert client.post(edit, data).status_code == 302
    ln.refresh_from_db()
    assert ln.name == "Nguyễn Thị Lan Anh"
    Proposal.objects.filter(pk=p.pk).update(status=ProposalStatus.RECEIVED)
    response = client.post(edit, {**data, "name": "Đổi Nữa"})
    assert "đơn vị không sửa được" in response.content.decode()
    ln.refresh_from_db()
    assert ln.name == "Nguyễn Thị Lan Anh"
    page = client.get(reverse("portal_proposal", args=[p.pk])).content.decode()
    assert "Thêm dòng" not in page and "Gửi hồ sơ" not in page
