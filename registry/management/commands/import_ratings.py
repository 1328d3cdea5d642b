"""python manage.py import_ratings FILE --authority CODE [--user NAME] [--dry-run] [--json]"""

from registry.models import ImportKind

from .import_honorees import ImportCommand, authority_by_code


class Command(ImportCommand):
    help = "Nhập xếp loại hằng năm (HTXSNV, HTTNV, HTNV, KHTNV) từ tệp .xlsx."
    kind = ImportKind.RATINGS
    perms = ("registry.add_rating",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--authority", required=True, help="Mã cấp đánh giá")

    def target(self, options, user) -> dict:
        return {"authority": authority_by_code(options["authority"], user)}
