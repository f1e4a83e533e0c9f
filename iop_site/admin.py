"""The admin site: Django's, plus an optional second factor (a TOTP code from an authenticator app)."""

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django_otp import devices_for_user, user_has_device


class StaffLoginForm(AdminAuthenticationForm):
    """Password first; then, for anyone with an authenticator device (or everyone, if required), its code."""

    otp_token = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "aria-describedby": "id_otp_token_helptext"}
        ),
    )

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        if user is not None:
            self._check_code(user, (cleaned_data.get("otp_token") or "").replace(" ", ""))
        return cleaned_data

    def _check_code(self, user, token):
        devices = list(devices_for_user(user, confirmed=True))
        if not devices:
            if settings.ADMIN_REQUIRE_2FA:
                raise ValidationError(
                    "This site needs a code from an authenticator app, and your account has none set up yet. "
                    "Ask an administrator to add one for you.",
                    code="otp_device_missing",
                )
            return
        if not token:
            raise ValidationError("Enter the 6-digit code from your authenticator app.", code="otp_token_required")
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        if not allowed:  # django-otp waits longer after each wrong code
            raise ValidationError("Too many wrong codes in a row. Wait a minute, then try again.", code="otp_throttled")
        for device in allowed:
            if device.verify_token(token):
                user.otp_device = device  # django_otp marks the session as verified when the login completes
                return
        raise ValidationError(
            "That code is wrong or has expired. Enter the code your app shows now.", code="otp_token_invalid"
        )


class StaffAdminSite(AdminSite):
    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"

    def login(self, request, extra_context=None):
        return super().login(request, {"require_2fa": settings.ADMIN_REQUIRE_2FA, **(extra_context or {})})

    def get_app_list(self, request, app_label=None):
        """Django's list, with the review queue under the name staff know it by (not the model's, "Revisions")."""
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                if model["object_name"] == "Revision":
                    model["name"] = "Changes for review"
            app["models"].sort(key=lambda model: model["name"])
        return app_list

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        user = request.user
        if user.is_verified():
            return True
        # A session that skipped the code: fine only if no code is required of this person.
        return not (settings.ADMIN_REQUIRE_2FA or user_has_device(user))
