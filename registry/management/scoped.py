"""What every command that reads or writes registry data shares: ``--user USERNAME``.

With ``--user`` a command acts as that user would in the admin: only with their permissions and
only on the offices (authorities) they belong to and those below. Without it the command runs
with the full rights of the machine's operator, and says so on stderr.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from registry.selectors.scope import authority_in_scope, scoped, user_authority_ids

FULL_RIGHTS_NOTICE = (
    "Không có --user: lệnh chạy với toàn quyền của người quản trị máy, không giới hạn cơ quan."
)


def add_user_argument(parser) -> None:
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        help="Chạy với quyền và phạm vi cơ quan của người dùng này (như trong trang quản trị). "
        "Bỏ trống: toàn quyền của người quản trị máy.",
    )


def user_from_options(options, *, stderr=None, perms: tuple[str, ...] = ()):
    """The user named by --user, checked to be active and to hold ``perms``; None without it
    (after writing the full-rights notice to ``stderr``)."""
    username = options.get("user")
    if not username:
        if stderr is not None:
            stderr.write(FULL_RIGHTS_NOTICE)
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"Không có người dùng “{username}”. Kiểm tra tên đăng nhập.")
    if not user.is_active:
        raise CommandError(f"Tài khoản “{username}” đã bị khóa: không chạy lệnh thay được.")
    missing = [perm for perm in perms if not user.has_perm(perm)]
    if missing:
        raise CommandError(
            f"Người dùng “{username}” không có quyền làm việc này ({', '.join(missing)}). "
            "Nhờ quản trị hệ thống thêm vào nhóm phù hợp."
        )
    return user


def ensure_in_scope(user, authority, *, what: str = "") -> None:
    """Refuse (CommandError) an authority outside the user's offices; ``what`` names the object
    that belongs to it ("quyết định 15/QĐ-UBND")."""
    if authority_in_scope(user, authority):
        return
    name = getattr(authority, "name", None) or str(authority)
    subject = f"{what} thuộc {name}" if what else name
    raise CommandError(
        f"Người dùng “{user.get_username()}” không làm việc với {subject}: ngoài phạm vi cơ quan "
        "của mình. Hãy chạy lệnh với tài khoản của cơ quan đó, hoặc nhờ quản trị hệ thống."
    )


def require_authority(user, authority, *, option: str = "--authority") -> None:
    """A user limited to some offices must name one of them (never the whole registry)."""
    if authority is None and user_authority_ids(user) is not None:
        raise CommandError(
            f"Người dùng “{user.get_username()}” chỉ làm việc với cơ quan của mình: hãy ghi "
            f"{option} MÃ (mã cấp khen của cơ quan mình)."
        )


def in_scope_or_error(queryset, user, scope: str, pk, *, label: str):
    """The row ``pk`` of ``queryset`` if it is in the user's offices; a Vietnamese error that
    names it otherwise (the same words whether it is missing or another office's)."""
    found = scoped(queryset, user, scope).filter(pk=pk).first()
    if found is None:
        if user is not None and queryset.filter(pk=pk).exists():
            raise CommandError(
                f"{label} mã {pk} ngoài phạm vi cơ quan của người dùng “{user.get_username()}”: "
                "không xem, không sửa được."
            )
        raise CommandError(f"Không có {label.lower()} mã {pk}. Hãy xem mã trong trang quản trị.")
    return found
