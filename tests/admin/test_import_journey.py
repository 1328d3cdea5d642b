"""A clerk imports a unit's list into a draft decision: upload, preview, confirm."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from registry.models import Award, ImportBatch, Individual
from tests import factories
from tests.data.books import messy_list

PEOPLE = [
    ("Ông Nguyễn Văn Hưởng", 1980, "Chuyên viên, Phòng Nội vụ", "năm 2022"),
    ("Bà Lê Thị Hoa", "12/05/1985", "Giáo viên, Trường TH Hoàng Việt", None),
    ("Hoàng Văn Nam", 1979, "Thôn Nà Lầu", None),
]


def setup_registry():
    decision = factories.draft_decision()
    factories.individual("Nguyễn Văn Hưởng", birth_year=1980, gender="nam")
    first = factories.individual("Hoàng Văn Nam", birth_year=1979, workplace="Thôn A")
    second = factories.individual("Hoàng Văn Nam", birth_year=1979, workplace="Thôn B")
    return decision, first, second


@pytest.mark.django_db
def test_upload_preview_choose_and_confirm(client, tmp_path):
    decision, _, second = setup_registry()
    admin = get_user_model().objects.create_superuser("quantri", password="x")
    client.force_login(admin)
    page = client.get(reverse("admin:registry_decision_change", args=[decision.pk]))
    assert "Nhập danh sách từ Excel" in page.content.decode()

    url = reverse("admin:registry_importbatch_upload", args=["danh-sach"])
    path = tmp_path / "ds.xlsx"
    path.write_bytes(messy_list(PEOPLE, collectives=[("Phòng Tư pháp", "", None)]))
    with path.open("rb") as upload:
        response = client.post(
            f"{url}?decision={decision.pk}",
            {"file": upload, "award_type": factories.award_type().pk},
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "Xác nhận nhập" in preview and "Cần chọn" not in preview
    assert "Có 2 hồ sơ giống" in preview
    index = next(i for i, line in enumerate(batch.payload["lines"]) if line["match"] == "ambiguous")

    response = client.post(response["Location"], {"confirm": "1", f"choice-{index}": second.pk})
    assert response.status_code == 302
    assert decision.awards.count() == 4
    assert Award.objects.get(individual__full_name="Hoàng Văn Nam").individual_id == second.pk
    assert Individual.objects.filter(full_name="Lê Thị Hoa", gender="nu").count() == 1


@pytest.mark.django_db
def test_errors_show_where_and_write_nothing(client):
    decision = factories.draft_decision()
    client.force_login(get_user_model().objects.create_superuser("quantri", password="x"))
    url = reverse("admin:registry_importbatch_upload", args=["danh-sach"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = messy_list([("Nguyễn Văn An", 2999, "", None)])
    response = client.post(
        f"{url}?decision={decision.pk}",
        {"file": SimpleUploadedFile("ds.xlsx", data), "award_type": factories.award_type().pk},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "tương lai" in text and "Xác nhận nhập" not in text
    assert ImportBatch.objects.count() == 0 and Award.objects.count() == 0
    template = client.get(reverse("admin:registry_importbatch_template", args=["danh-sach"]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_imports_a_list_in_the_browser(live_server, page, tmp_path):
    decision, _, second = setup_registry()
    factories.award_type()
    get_user_model().objects.create_superuser("quantri", password="mat-khau-thu-nghiem")
    path = tmp_path / "danh-sach-khen-thuong.xlsx"
    path.write_bytes(messy_list(PEOPLE, collectives=[("Phòng Tư pháp", "", None)]))

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(live_server.url + f"/admin/registry/decision/{decision.pk}/change/")
    page.click("text=Nhập danh sách từ Excel")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=award_type]", label="Giấy khen")
    page.click("input[name=upload]")
    page.locator("#import-lines").wait_for()
    assert page.locator("#import-lines tbody tr").count() == 4
    assert page.locator(".count-new").inner_text() == "2"
    assert page.locator(".count-matched").inner_text() == "1"
    assert page.locator(".count-ambiguous").inner_text() == "1"
    page.locator("label", has_text="Thôn B").locator("input").check()
    page.click("input[name=confirm]")
    page.locator(".messagelist .success").wait_for()
    assert "Đã nhập 4 dòng" in page.locator(".messagelist").inner_text()
    assert decision.awards.count() == 4
    assert Award.objects.get(individual__full_name="Hoàng Văn Nam").individual_id == second.pk
