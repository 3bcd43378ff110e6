import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from threadline.people.models import Person
from threadline.timescales import clock
from threadline.timescales.rules import catalogue_markdown


class Command(BaseCommand):
    help = (
        "The statutory clock. `evaluate` brings every open case's tasks in line with its "
        "events; `evaluate --as-of YYYY-MM-DD [--child ID]` replays which tasks were due "
        "and when on that day, writing nothing; `rules` prints the rule catalogue "
        "(docs/rules.md)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate")
        evaluate.add_argument("--as-of", type=dt.date.fromisoformat)
        evaluate.add_argument("--child")
        evaluate.add_argument(
            "--everyone",
            action="store_true",
            help="every person with an event, not only open cases (after a restore or a new rule)",
        )
        sub.add_parser("rules")

    def handle(self, *args, action, **options):
        if action == "rules":
            self.stdout.write(catalogue_markdown())
            return
        as_of, child_id = options.get("as_of"), options.get("child")
        if as_of is None:
            if child_id:
                created, closed = clock.sync_tasks({self._child(child_id).pk})
            else:
                created, closed = clock.sync_all(everyone=options["everyone"])
            self.stdout.write(f"Created {created} tasks; closed {closed}.")
            return
        children = (
            [self._child(child_id)]
            if child_id
            else Person.objects.filter(pk__in=clock.open_case_children()).order_by("family_name")
        )
        end = clock.end_of_day(as_of)
        for child in children:
            states = clock.replay(child, as_of=as_of)
            self.stdout.write(f"{child.full_name} ({child.pk}) on {as_of:%-d %B %Y}:")
            for s in states:
                state = "OVERDUE" if s.overdue_at(end) else s.status
                self.stdout.write(
                    f"  {s.due_at:%Y-%m-%d %H:%M}  {state:<9}  {s.rule.title}"
                    f"  (from {s.trigger.get_kind_display().lower()}, "
                    f"{s.trigger.occurred_at:%-d %b %Y})"
                )
            if not states:
                self.stdout.write("  nothing due")

    def _child(self, child_id) -> Person:
        try:
            return Person.objects.get(pk=child_id)
        except (Person.DoesNotExist, ValueError) as exc:
            raise CommandError(f"No person with id {child_id}") from exc
