"""`threadline index-people [--rebuild-keys]`: make the people recorded before identity
resolution existed findable by it, and rewrite blocking keys after a model change."""

from django.core.management.base import BaseCommand

from threadline.linkage.services import index_people


class Command(BaseCommand):
    help = (
        "Give every person without a source record (recorded before identity resolution "
        "existed) their recording agency's Threadline record, so new records can be matched "
        "to them; --rebuild-keys also rewrites every record's blocking keys (run it after "
        "installing a model whose keys changed). Running it again does nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild-keys", action="store_true")

    def handle(self, *args, rebuild_keys: bool, **options):
        indexed, rekeyed = index_people(rebuild_keys=rebuild_keys)
        self.stdout.write(f"Indexed {indexed} people; re-keyed {rekeyed} records.")
