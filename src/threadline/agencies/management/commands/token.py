from django.core.management.base import BaseCommand, CommandError

from threadline.agencies.models import Practitioner
from threadline.agencies.services import issue_api_token


class Command(BaseCommand):
    help = (
        "Print the API token of a practitioner, creating it the first time. "
        "Agency systems send it as `Authorization: Token <key>`."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        practitioner = Practitioner.objects.filter(username=username).first()
        if practitioner is None:
            raise CommandError(f"No practitioner has the username {username!r}.")
        if not practitioner.is_active:
            raise CommandError(f"The account {username!r} is deactivated; it cannot use the API.")
        self.stdout.write(issue_api_token(actor=None, practitioner=practitioner))
