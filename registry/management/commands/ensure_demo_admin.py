from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry.services.accounts import demo_admin_ensure, demo_clerk_password, demo_clerks_ensure


class Command(BaseCommand):
    help = "Tạo (hoặc đặt lại) tài khoản quản trị dùng thử và in thông tin đăng nhập."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Chỉ dùng tài khoản dùng thử khi DEBUG bật (máy thử, không phải máy thật)."
            )
        username, password = demo_admin_ensure()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đăng nhập tại /admin/ với tên '{username}', mật khẩu '{password}'."
            )
        )
        clerks = demo_clerks_ensure(reset_password=True)
        for clerk, office in clerks.items():
            self.stdout.write(
                f"Cán bộ thi đua dùng thử của {office}: tên '{clerk}', "
                f"mật khẩu '{demo_clerk_password()}' (chỉ thấy hồ sơ của cơ quan mình)."
            )
        if not clerks:
            self.stdout.write("Chưa có cán bộ dùng thử: chạy load_demo trước để có các cơ quan.")
