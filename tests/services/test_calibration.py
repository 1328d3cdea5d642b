"""A leader enters the offsets measured on the calibration page; the overlay moves by them on the
office's printing, the calibration page printed again shows the shift, history is kept."""

import re
import subprocess
import tempfile
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from registry.models import Authority
from registry.models.printing import CertificateLayout, LayoutCalibration, PrintMode
from registry.models.trust import AuthorityMembership
from registry.services import certificates
from registry.services.accounts import CLERK_GROUP, LEADER_GROUP, groups_ensure
from tests import factories

pytestmark = pytest.mark.django_db
MM = 72 / 25.4  # points in a millimetre (2.8346)


def member(username, group, authority):
    groups_ensure()
    user = get_user_model().objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    AuthorityMembership.objects.create(user=user, authority=authority)
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def words(pdf: bytes) -> list[tuple[str, float, float]]:
    """(word, xMin, yMin) in points, from pdftotext -bbox-layout."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        html = subprocess.run(
            ["pdftotext", "-bbox-layout", handle.name, "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)</word>', html)
    return [(text, float(x), float(y)) for x, y, text in found]


def first(found, text):
    return next((x, y) for word, x, y in found if word == text)


def test_a_leader_shifts_the_overlay_and_the_calibration_page_shows_it():
    decision = factories.decision_with_lines(collectives=0, individuals=1)
    office, award_type = decision.authority, decision.awards.get().award_type
    leader = member("lanhdao", LEADER_GROUP, office)
    before = words(certificates.certificates_calibration(authority=office, award_type=award_type))
    overlay_before = words(
        certificates.certificates_render(awards=decision.awards.all(), mode=PrintMode.OVERLAY)
    )

    layout = certificates.layout_calibrate(
        authority=office,
        award_type=award_type,
        shift_x=Decimal("2"),
        shift_y=Decimal("-1.5"),
        user=leader,
        note="Máy in phòng Nội vụ",
    )
    assert layout.authority == office and layout.shift_x == Decimal("2.0")

    after = words(certificates.certificates_calibration(authority=office, award_type=award_type))
    # The label of the first box ("dòng cấp khen") moved 2 mm right and 1.5 mm up.
    (x0, y0), (x1, y1) = first(before, "dòng"), first(after, "dòng")
    assert x1 - x0 == pytest.approx(2 * MM, abs=0.3)
    assert y1 - y0 == pytest.approx(-1.5 * MM, abs=0.3)
    assert "dịch" in {w for w, _, _ in after}  # the page says it is shifted

    overlay_after = words(
        certificates.certificates_render(awards=decision.awards.all(), mode=PrintMode.OVERLAY)
    )
    (x0, y0), (x1, y1) = first(overlay_before, "Ông"), first(overlay_after, "Ông")
    assert x1 - x0 == pytest.approx(2 * MM, abs=0.3)
    assert y1 - y0 == pytest.approx(-1.5 * MM, abs=0.3)
    # Printing in full on white paper does not move.
    full = words(certificates.certificates_render(awards=decision.awards.all()))
    assert first(full, "Ông")[0] == pytest.approx(x0, abs=6)

    certificates.layout_calibrate(
        authority=office, award_type=award_type, shift_x=3, shift_y=0, user=leader
    )
    latest, older = LayoutCalibration.objects.order_by("-id")[:2]
    assert (latest.previous_x, latest.previous_y) == (Decimal("2.0"), Decimal("-1.5"))
    assert (latest.shift_x, latest.recorded_by) == (Decimal("3.0"), leader)
    assert older.note == "Máy in phòng Nội vụ"


def test_only_a_leader_of_the_office_within_limits():
    decision = factories.decision_with_lines(collectives=0, individuals=1)
    office, award_type = decision.authority, decision.awards.get().award_type
    other = Authority.objects.create(
        code="khac-ubnd", name="Chủ tịch UBND huyện Khác", level=office.level, chain=office.chain
    )
    clerk = member("canbo", CLERK_GROUP, office)
    leader = member("lanhdao", LEADER_GROUP, office)
    with pytest.raises(PermissionDenied):
        certificates.layout_calibrate(
            authority=office, award_type=award_type, shift_x=1, shift_y=1, user=clerk
        )
    with pytest.raises(ValidationError) as error:
        certificates.layout_calibrate(
            authority=other, award_type=award_type, shift_x=1, shift_y=1, user=leader
        )
    assert "authority" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        certificates.layout_calibrate(
            authority=office, award_type=award_type, shift_x=45, shift_y=0, user=leader
        )
    assert "−30 đến 30 mm" in error.value.message_dict["shift_x"][0]
    assert not CertificateLayout.objects.exists() and not LayoutCalibration.objects.exists()


def test_the_calibration_page_form(client):
    decision = factories.decision_with_lines(collectives=0, individuals=1)
    office, award_type = decision.authority, decision.awards.get().award_type
    url = reverse("admin:registry_layout_calibrate")
    client.force_login(member("canbo", CLERK_GROUP, office))
    page = client.get(url, {"authority": office.pk, "award_type": award_type.pk})
    assert page.status_code == 200 and "In trang căn chỉnh" in page.content.decode()
    data = {"authority": office.pk, "award_type": award_type.pk, "shift_x": "2", "shift_y": "1"}
    assert client.post(url, data).status_code == 403

    client.force_login(member("lanhdao", LEADER_GROUP, office))
    listing = client.get(reverse("admin:registry_certificatelayout_changelist")).content.decode()
    assert url in listing
    response = client.post(url, {**data, "shift_x": "2,5"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'sang phải <strong id="current-shift-x">2,5 mm' in page
    assert 'id="calibration-history"' in page
    bad = client.post(url, {**data, "shift_y": "99"}).content.decode()
    assert "−30 đến 30 mm" in bad
    pdf = client.get(
        reverse("admin:registry_layout_calibration"),
        {"authority": office.pk, "award_type": award_type.pk},
    )
    assert pdf["Content-Type"] == "application/pdf"
