"""python manage.py import_history FILE --authority CODE [--award-type CODE] [--user NAME] [--dry-run] [--json]"""

from registry.models import ImportKind
from registry.services.imports import award_type_by_code

from .import_honorees import ImportCommand, authority_by_code


class Command(ImportCommand):
    help = "Nhập sổ khen thưởng các năm trước (.xlsx): quyết định được tìm hoặc tạo, đã ban hành."
    kind = ImportKind.HISTORY
    perms = ("registry.add_decision", "registry.add_award")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--authority", required=True, help="Mã cấp khen thưởng")
        parser.add_argument("--award-type", help="Mã hình thức khen thưởng dùng khi tệp không ghi")

    def target(self, options, user) -> dict:
        award_type = award_type_by_code(options["award_type"]) if options["award_type"] else None
        return {
            "authority": authority_by_code(options["authority"], user),
            "award_type": award_type,
        }
