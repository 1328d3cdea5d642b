from django.apps import apps
from django.core.management.base import BaseCommand

from registry.services.demo import demo_load

# Model names as demo_load() counts them, in the order a reader expects.
LABELS = {
    "unit": "đơn vị",
    "unitsuccession": "đơn vị kế thừa",
    "campaign": "phong trào thi đua",
    "collective": "tập thể",
    "individual": "cá nhân",
    "decision": "quyết định khen thưởng",
    "award": "dòng khen thưởng",
    "rating": "xếp loại hằng năm",
    "initiative": "sáng kiến",
    "discipline": "kỷ luật",
    "bloc": "khối thi đua",
    "blocmembership": "thành viên khối",
    "pledge": "giao ước thi đua",
    "pledgesignatory": "đơn vị ký giao ước",
    "targetset": "bộ chỉ tiêu",
    "target": "chỉ tiêu",
    "targetresult": "kết quả chỉ tiêu",
}


def _label(name: str) -> str:
    """A model name in Vietnamese: the list above, else the model's own verbose_name."""
    if name in LABELS:
        return LABELS[name]
    try:
        return str(apps.get_model("registry", name)._meta.verbose_name)
    except LookupError:
        return name


class Command(BaseCommand):
    help = "Nạp danh mục pháp lý và dữ liệu mẫu dựng từ các bài báo (chạy lại không tạo trùng)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Tệp JSON khác với fixtures/demo.json.")

    def handle(self, *args, **options):
        created = demo_load(path=options.get("file"))
        if not any(created.values()):
            self.stdout.write(
                self.style.SUCCESS("Dữ liệu mẫu đã có đủ, không tạo thêm bản ghi nào.")
            )
            return
        names = [name for name in LABELS if name in created]
        names += [name for name in created if name not in LABELS]
        parts = [f"{created[name]} {_label(name)}" for name in names if created[name]]
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu: " + ", ".join(parts) + "."))
