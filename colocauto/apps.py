from django.contrib.admin.apps import AdminConfig


class ColocautoAdminConfig(AdminConfig):
    """django.contrib.admin, on our site whose login is rate-limited (colocauto/admin.py)."""

    default_site = "colocauto.admin.AdminSite"
