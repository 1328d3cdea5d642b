"""The clerk's home page and the admin's Vietnamese: what a clerk sees on opening the register."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from registry.adminsite import GROUPS
from registry.models.printing import PrintKind, PrintLog, PrintMode
from registry.text import name_sort_key
from tests.services.test_scope import two_offices

pytestmark = pytest.mark.django_db


def section(html: str, element_id: str) -> str:
    """The HTML of the element with that id, up to the next box of the home page."""
    start = html.index(f'id="{element_id}"')
    end = html.find('class="module', start + 1)
    return html[start : end if end != -1 else len(html)]


def captions(html: str) -> list[str]:
    return re.findall(r"<caption>\s*(?:<a [^>]*>)?([^<]+?)\s*(?:</a>)?\s*</caption>", html)


def test_home_starts_from_the_clerks_tasks_in_the_clerks_office(
    client, django_assert_max_num_queries
):
    offices = two_offices()
    client.force_login(offices["clerk"])
    with django_assert_max_num_queries(12):  # session, user, permissions, scope, 4 lists
        html = client.get(reverse("admin:index")).content.decode()

    assert f'href="{reverse("admin:registry_decision_add")}"' in html
    assert "Quyết định mới" in html
    upload = reverse("admin:registry_importbatch_upload", args=["lich-su"])
    assert f'href="{upload}"' in html
    year = timezone.localdate().year
    assert f"{reverse('admin:registry_annual_report')}?year={year}" in html
    assert reverse("admin:registry_eligibility_nominees") in html

    drafts, unprinted = section(html, "cho-drafts"), section(html, "cho-unprinted")
    # Another office's drafts and decisions are not there, nor counted.
    assert "1/QĐ-A" in drafts and "1/QĐ-B" not in drafts
    assert re.search(r'registry-count">1<', drafts)
    assert "2/QĐ-A" in unprinted and "2/QĐ-B" not in unprinted
    assert "1/QĐ-A" not in unprinted and "3/QĐ-A" not in unprinted  # a draft; no award lines
    # "View site" led back to the admin: there is no such link.
    assert "Xem trang web" not in html and "Trang công khai" not in html

    # Once every line is printed, the decision no longer waits.
    for award in offices["A"]["issued"].awards.all():
        PrintLog.objects.create(award=award, kind=PrintKind.PRINT, mode=PrintMode.FULL)
    html = client.get(reverse("admin:index")).content.decode()
    assert "2/QĐ-A" not in section(html, "cho-unprinted")


def test_home_offers_only_what_the_user_may_do():
    offices = two_offices()
    from django.test import Client

    client = Client()
    client.force_login(offices["viewer"])
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:registry_decision_add") not in html
    assert "1/QĐ-A" in section(html, "cho-drafts")  # the viewer still sees what waits

    nobody = get_user_model().objects.create_user("khach", password="x", is_staff=True)
    client.force_login(nobody)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Quyết định mới" not in html and 'id="cho-drafts"' not in html
    assert "Bạn chưa được giao quyền xem hay sửa mục nào." in html


def test_lists_are_grouped_in_vietnamese_order_on_the_home_page_and_the_sidebar(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    titles = [group.title for group in GROUPS]
    assert captions(html) == titles
    for group in GROUPS:
        box = section(html, group.slug)
        names = re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]+)', box)
        assert names and names == sorted(names, key=name_sort_key), group.title
    catalogue = section(html, "danh-muc")
    assert "Nguyên tắc tính tiền thưởng" in catalogue and "Quyết định khen thưởng" not in catalogue
    logs = section(html, "nhat-ky")
    assert "Lần đăng nhập sai" in logs and "Việc chạy nền" in logs

    # The sidebar of any page has the same groups, in the same order.
    page = admin_client.get(reverse("admin:registry_cashrounding_changelist")).content.decode()
    sidebar = page[page.index('id="nav-sidebar"') :]
    assert captions(sidebar)[: len(titles)] == titles


def test_admin_speaks_vietnamese_where_django_and_its_apps_do_not(admin_client):
    two_offices()
    decisions = admin_client.get(reverse("admin:registry_decision_changelist")).content.decode()
    assert "Hiện số lượng" in decisions and "Show counts" not in decisions
    assert "Theo năm" in decisions and "Bởi năm" not in decisions
    assert "Đến nội dung chính" in decisions and "Skip to main content" not in decisions
    assert "Thêm quyết định khen thưởng" in decisions  # not "Thêm vào …"

    from registry.models import Decision

    issued = Decision.objects.get(number="2/QĐ-A")
    history = admin_client.get(
        reverse("admin:registry_decision_history", args=[issued.pk])
    ).content.decode()
    assert "Lịch sử" in history and "Bản ghi nhớ" not in history
    assert "Người thực hiện" in history and "Changed by" not in history
    # The status change reads as the status's labels, not its codes.
    assert re.search(r"Trạng thái:</strong> Dự thảo &rarr; Đã ban hành", history)
    assert "draft" not in history and "None" not in history
    assert re.search(r"\d+ lần thay đổi", history)

    axes = admin_client.get(reverse("admin:app_list", args=["axes"])).content.decode()
    assert "Đăng nhập sai" in axes and "Access attempts" not in axes


def test_permissions_and_background_jobs_are_named_in_vietnamese(admin_client):
    group = admin_client.get(reverse("admin:auth_group_add")).content.decode()
    assert "Quyết định khen thưởng: thêm" in group and "Can add" not in group

    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        task_path="registry.tasks.print_job_run",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
    )
    jobs = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    html = jobs.content.decode()
    assert "Việc chạy nền" in html and "Task name" not in html and "Task Results" not in html


def test_home_counts_the_units_proposals_waiting_in_the_clerks_office(client):
    from registry.models import Proposal, ProposalStatus

    offices = two_offices()
    Proposal.objects.filter(pk=offices["A"]["proposal"].pk).update(status=ProposalStatus.SUBMITTED)
    Proposal.objects.filter(pk=offices["B"]["proposal"].pk).update(status=ProposalStatus.SUBMITTED)
    client.force_login(offices["clerk"])
    html = client.get(reverse("admin:index")).content.decode()
    # Only the clerk's own office's proposal is counted, and the link lists the sent ones.
    assert "Hồ sơ đề nghị chờ tiếp nhận: 1" in html
    assert f"{reverse('admin:registry_proposal_changelist')}?status__exact=da-gui" in html


def test_the_menu_follows_the_users_permissions_from_one_request_to_the_next(client):
    from django.contrib import admin
    from django.contrib.auth.models import Permission
    from django.test import RequestFactory

    user = get_user_model().objects.create_user("menu-doi", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_authority"))
    client.force_login(user)
    decisions = reverse("admin:registry_decision_changelist")
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:registry_authority_changelist") in html and decisions not in html

    user.user_permissions.add(Permission.objects.get(codename="view_decision"))
    html = client.get(reverse("admin:index")).content.decode()
    assert decisions in html  # the menu built for the first set is not served to the second

    user.user_permissions.remove(Permission.objects.get(codename="view_decision"))
    sidebar = client.get(reverse("admin:registry_authority_changelist")).content.decode()
    assert decisions not in sidebar[sidebar.index('id="nav-sidebar"') :]
    # The same permissions are served the same menu, each request its own copy of it.
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(pk=user.pk)
    first, second = admin.site.get_app_list(request), admin.site.get_app_list(request)
    assert first == second and first[0] is not second[0]
    assert first[0]["models"][0] is not second[0]["models"][0]


def _sidebar(html: str) -> str:
    start = html.index('<button class="sticky toggle-nav-sidebar"')
    return html[start : html.index("</nav>", start) + len("</nav>")]


def test_the_side_menu_is_djangos_own_on_every_page_though_rendered_once(client, admin_user):
    """{% nav_sidebar %} serves a menu rendered once per menu and page: the markup is what
    Django's own template gives for that request, the current page marked, page after page."""
    from pathlib import Path

    import django
    from django.template import engines

    own = Path(django.__file__).parent / "contrib/admin/templates/admin/nav_sidebar.html"
    template = engines["django"].from_string(own.read_text())
    served_by = engines["django"].get_template("admin/nav_sidebar.html").template.source
    assert "{% nav_sidebar %}" in served_by  # the registry's, not Django's own
    clerk = two_offices()["clerk"]
    pages = [
        reverse("admin:index"),
        reverse("admin:registry_decision_changelist"),
        reverse("admin:registry_individual_changelist"),
        reverse("admin:registry_decision_changelist"),  # the second time, from the cache
        reverse("admin:registry_authority_changelist"),
        reverse("admin:auth_user_changelist"),
    ]
    for user in (clerk, admin_user):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            if response.status_code == 403 or url == reverse("admin:index"):
                continue  # the home page has no side menu
            expected = template.render(
                {"available_apps": response.context["available_apps"]}, response.wsgi_request
            )
            served = _sidebar(response.content.decode())
            assert served == expected.strip()
            assert served.count("current-model") == 1 and f'href="{url}" aria-current' in served
