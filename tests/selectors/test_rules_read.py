"""The eligibility rules each process keeps (all_rules): read once, and read again after any
change to them, on every path that changes them, in this process or another."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from registry.models import AwardType
from registry.models.eligibility import EligibilityCondition, EligibilityRule
from registry.selectors.eligibility import RULES_TOKEN, all_rules, rules_in_force
from registry.services.catalogue import catalogue_load

pytestmark = pytest.mark.django_db

ON = date(2024, 3, 1)
KEY = "cstd-co-so"  # Chiến sĩ thi đua cơ sở, for individuals


def in_force():
    award_type = AwardType.objects.get(code=KEY)
    return rules_in_force(award_type_ids=[award_type.pk], on=ON).get((award_type.pk, "ca-nhan"))


@pytest.fixture
def loaded():
    catalogue_load()  # the catalogue and the shipped rules
    return in_force()


def test_the_rules_are_read_once_then_kept(loaded, django_assert_num_queries):
    all_rules()
    with django_assert_num_queries(1):  # the token, from the shared cache
        rules = all_rules()
        conditions = [
            (c.award_type, c.award_type_alt, c.other_award_type)
            for rule in rules
            for route in rule.routes.all()
            for c in route.conditions.all()
        ]
    assert {r.code for r in rules} == set(EligibilityRule.objects.values_list("code", flat=True))
    assert len(conditions) == EligibilityCondition.objects.count()


def test_a_change_saved_is_read_by_the_next_check(loaded):
    rule = EligibilityRule.objects.get(pk=loaded.pk)
    rule.name = "Tiêu chuẩn đã sửa"
    rule.save()
    assert in_force().name == "Tiêu chuẩn đã sửa"

    condition = EligibilityCondition.objects.filter(route__rule=rule).first()
    condition.years = 9
    condition.save()
    assert any(
        c.pk == condition.pk and c.years == 9
        for route in in_force().routes.all()
        for c in route.conditions.all()
    )

    award_type = AwardType.objects.get(code=KEY)
    award_type.name = "Chiến sĩ thi đua cơ sở (tên mới)"
    award_type.save()
    assert in_force().award_type.name == "Chiến sĩ thi đua cơ sở (tên mới)"

    rule.delete()
    assert in_force() is None or in_force().pk != loaded.pk


def test_a_change_rolled_back_is_read_again(loaded):
    with transaction.atomic():
        EligibilityRule.objects.filter(pk=loaded.pk).get().delete()
        assert in_force() is None or in_force().pk != loaded.pk
        transaction.set_rollback(True)
    assert in_force().pk == loaded.pk


def test_a_fixture_loaded_is_read(loaded, tmp_path):
    fixture = tmp_path / "rule.json"
    rule = EligibilityRule.objects.get(pk=loaded.pk)
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "registry.eligibilityrule",
                    "pk": rule.pk,
                    "fields": {
                        "code": rule.code,
                        "name": "Tiêu chuẩn từ tệp dữ liệu",
                        "award_type": rule.award_type_id,
                        "recipient_kind": rule.recipient_kind,
                        "loai_hinh": rule.loai_hinh,
                        "chain": rule.chain,
                        "authority_level": rule.authority_level,
                        "legal_basis": rule.legal_basis,
                        "confirmed": rule.confirmed,
                        "note": rule.note,
                        "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
                        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
                    },
                }
            ]
        ),
        encoding="utf-8",
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert in_force().name == "Tiêu chuẩn từ tệp dữ liệu"


def test_a_rule_deleted_in_the_admin_is_read(loaded, admin_client):
    url = reverse("admin:registry_eligibilityrule_delete", args=[loaded.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not EligibilityRule.objects.filter(pk=loaded.pk).exists()
    assert in_force() is None or in_force().pk != loaded.pk


def test_a_migrate_drops_the_token(loaded):
    all_rules()
    assert cache.get(RULES_TOKEN) is not None
    call_command("migrate", verbosity=0)
    assert cache.get(RULES_TOKEN) is None


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_process_is_read():
    """gunicorn's other worker: a separate process changes a rule and commits."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory")
    catalogue_load()
    rule = in_force()
    # The same server as this run's DATABASE_URL, its test database.
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}")
    script = (
        "import django; django.setup()\n"
        "from registry.models.eligibility import EligibilityRule\n"
        f"rule = EligibilityRule.objects.get(pk={rule.pk})\n"
        "rule.name = 'Tiêu chuẩn sửa ở tiến trình khác'\n"
        "rule.save()\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(url),
        "DJANGO_SETTINGS_MODULE": "registry.settings",
        "DEBUG": "1",
        "SECRET_KEY": settings.SECRET_KEY,
    }
    root = Path(settings.BASE_DIR)
    subprocess.run([sys.executable, "-c", script], cwd=root, env=env, check=True, timeout=120)
    assert in_force().name == "Tiêu chuẩn sửa ở tiến trình khác"
