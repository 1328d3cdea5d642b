"""The public page a certificate's QR code leads to."""

from datetime import date

import pytest

from registry.services.decisions import decision_issue
from registry.services.revocations import award_amend
from tests import factories

pytestmark = pytest.mark.django_db


def issued_award():
    decision = factories.decision_with_lines("15/QĐ-UBND", collectives=0, individuals=1)
    decision_issue(decision=decision)
    award = decision.awards.get()
    award.individual.birth_date = date(1980, 5, 6)
    award.individual.citizen_id = "012345678901"
    award.individual.save()
    return award


def test_a_valid_code_shows_the_award_without_login_and_nothing_else_personal(client):
    award = issued_award()
    response = client.get(f"/xac-thuc/{award.verification_code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Giấy khen hợp lệ" in page
    assert "Giấy khen" in page
    assert award.recipient_name in page
    assert "Chủ tịch UBND huyện Văn Lãng" in page
    assert "Số 15/QĐ-UBND ngày 10/01/2023" in page
    assert "đã bị hủy" not in page
    assert "1980" not in page and "012345678901" not in page and "06/05" not in page


def test_codes_are_read_with_spaces_dashes_and_in_lower_case(client):
    award = issued_award()
    code = award.verification_code
    typed = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
    assert client.get(f"/xac-thuc/{typed}/").status_code == 200


def test_a_revoked_award_says_so_with_the_revoking_decision(
    client, django_assert_num_queries, settings
):
    settings.RATELIMIT_ENABLE = False  # its counting is tests/test_serving.py's
    award = issued_award()
    factories.revoke([award], "30/QĐ-UBND", note="Kê khai không đúng")
    with django_assert_num_queries(1):  # the revoking decision comes in the page's one query
        page = client.get(f"/xac-thuc/{award.verification_code}/").content.decode()
    assert "đã bị hủy" in page
    assert "Quyết định số 30/QĐ-UBND ngày 10/01/2023." in page  # its own authority: not named
    assert "Giấy khen hợp lệ" not in page
    assert "Kê khai không đúng" not in page


def test_a_revocation_by_another_authority_names_it(client):
    award = issued_award()
    province = factories.authority("hatinh-ubnd", name="Chủ tịch UBND tỉnh Hà Tĩnh")
    award.authority.parent = province
    award.authority.save()
    factories.revoke([award], "7/QĐ-UBND", signed_date=date(2024, 2, 3), authority=province)
    page = client.get(f"/xac-thuc/{award.verification_code}/").content.decode()
    assert "Quyết định số 7/QĐ-UBND ngày 03/02/2024 của Chủ tịch UBND tỉnh Hà Tĩnh." in page


@pytest.mark.parametrize("code", ["ABCDEFGHJKLMNPQR", "ngắn", "O0O0O0O0O0O0O0O0", "x" * 300])
def test_unknown_or_malformed_codes_get_a_plain_not_found(client, code):
    issued_award()
    response = client.get(f"/xac-thuc/{code}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "không tìm thấy" in page.lower()
    assert "Văn Lãng" not in page


def test_a_draft_awards_code_is_never_valid(client):
    decision = factories.decision_with_lines("16/QĐ-UBND", collectives=1, individuals=0)
    assert decision.awards.get().verification_code is None
    assert client.get("/xac-thuc/None/").status_code == 404


def test_the_page_shows_the_latest_amendment_in_one_query(
    client, django_assert_num_queries, settings
):
    """A crowd scans codes at once: the page reads the award, its decision, the name as last
    amended and whether the decision has signed papers in one query; a decision without signed
    papers (most) needs no other (the rate limit's own counting is left out here:
    tests/test_serving.py covers it; the signed case, test_signed_papers.py)."""
    settings.RATELIMIT_ENABLE = False
    award = issued_award()
    url = f"/xac-thuc/{award.verification_code}/"
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    by = decision_issue(
        decision=factories.draft_decision(
            number="40/QĐ-UBND", signed_date=date(2023, 6, 1), kind="dinh-chinh",
            subject="Về việc đính chính quyết định khen thưởng",
        )
    )  # fmt: skip
    for name in ("Người Thử Sửa Lần Một", "Người Thử Sửa Lần Hai"):
        award_amend(award=award, by=by, field="recipient_name", new_value=name, reason="Sai tên")
    with django_assert_num_queries(1):
        page = client.get(url).content.decode()
    assert "Người Thử Sửa Lần Hai" in page
    assert "Sửa Lần Một" not in page and award.recipient_name not in page
    assert "Giấy khen hợp lệ" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [True, False])
def test_on_postgresql_the_lookup_is_prepared_once_per_connection(client, settings, prepared):
    """Prepared once per connection; with DATABASE_PREPARED_STATEMENTS=0 (a pooler that cannot
    keep them) the connection binds on the client and prepares nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    if not prepared:  # the connection settings.py makes when the variable is 0
        options.pop("server_side_binding", None)
        options.pop("prepare_threshold", None)
    connection.close()
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    try:
        award = issued_award()
        for _ in range(3):
            page = client.get(f"/xac-thuc/{award.verification_code}/").content.decode()
            assert award.recipient_name in page
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            statements = [row[0] for row in cursor.fetchall()]
    finally:
        options.clear()
        options.update(saved)
        connection.close()
    lookups = [s for s in statements if "WHERE a.verification_code = $" in s]
    assert len(lookups) == (1 if prepared else 0)
    assert bool(statements) == prepared


@pytest.mark.parametrize("value", ["1", "0"])
def test_the_variable_sets_how_a_postgresql_connection_binds(value, tmp_path):
    """settings.py, in a process of its own: DATABASE_PREPARED_STATEMENTS=0 leaves psycopg's
    client-side binding (nothing prepared); otherwise parameters are bound on the server and a
    repeated query is prepared."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://registry@/registry?host=/nowhere",
        "DATABASE_PREPARED_STATEMENTS": value,
        "DJANGO_SETTINGS_MODULE": "registry.settings",
        "DEBUG": "1",
        "REGISTRY_VAR_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    options = json.loads(out.strip().splitlines()[-1])
    if value == "1":
        assert options["server_side_binding"] is True and options["prepare_threshold"] == 2
    else:
        assert "server_side_binding" not in options and "prepare_threshold" not in options
