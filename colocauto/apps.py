from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ColocautoAdminConfig(AdminConfig):
    """django.contrib.admin, on our site whose login is rate-limited (colocauto/admin.py)."""

    default_site = "colocauto.admin.AdminSite"


class ProjectConfig(AppConfig):
    """The project itself, as an app: its management commands that use every layer (seed_demo)."""

    name = "colocauto"
    label = "colocauto"
    default = False
