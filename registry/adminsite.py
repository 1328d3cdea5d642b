from django.contrib import admin


class RegistryAdminSite(admin.AdminSite):
    site_header = "Sổ thi đua, khen thưởng"
    site_title = "Thi đua, khen thưởng"
    index_title = "Quản lý thi đua, khen thưởng"
