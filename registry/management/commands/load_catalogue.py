from django.core.management.base import BaseCommand

from registry.services.catalogue import catalogue_load

SECTION_LABELS = {
    "award_types": "danh hiệu, hình thức",
    "authorities": "cấp khen thưởng",
    "powers": "thẩm quyền",
    "base_salaries": "mức lương cơ sở",
    "cash_multiples": "hệ số tiền thưởng",
    "bloc_award_rules": "khen thưởng theo xếp hạng khối thi đua",
    "counted_loai_hinh": "loại hình được tính làm căn cứ",
    "cash_rounding": "làm tròn tiền thưởng",
    "dossier_requirements": "thành phần hồ sơ đề nghị",
}


class Command(BaseCommand):
    help = "Nạp danh mục pháp lý (danh hiệu, cấp khen, thẩm quyền, lương cơ sở, hệ số tiền thưởng)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Tệp JSON khác với fixtures/catalogue.json.")

    def handle(self, *args, **options):
        result = catalogue_load(path=options.get("file"))
        parts = [
            f"{label}: thêm {result.get(key, {}).get('created', 0)}, "
            f"cập nhật {result.get(key, {}).get('updated', 0)}"
            for key, label in SECTION_LABELS.items()
        ]
        self.stdout.write(self.style.SUCCESS("Đã nạp danh mục. " + "; ".join(parts) + "."))
