from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin, served by our site class (iop_site/admin.py) for the optional two-factor login."""

    default_site = "iop_site.admin.StaffAdminSite"
