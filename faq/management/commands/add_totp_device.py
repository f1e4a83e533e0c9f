import base64

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Give a staff account an authenticator app (TOTP); from its next login the app's code is needed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator app", help="A name for the device, e.g. 'phone'.")

    def handle(self, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}; create it first (createsuperuser or the admin).")
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        key = base64.b32encode(device.bin_key).decode()
        self.stdout.write(
            f"Added '{name}' for {username}. In the authenticator app, add an account with this setup key:\n\n"
            f"    {key}\n\nor open this link on the phone (it is the same key):\n\n    {device.config_url}\n\n"
            "From the next login, the admin asks for the 6-digit code the app shows. Keep the key secret."
        )
