from django.core.management.base import BaseCommand

from threadline.audit.anchor import write_anchor
from threadline.common.api import forget_old_idempotency_records
from threadline.meetings.services import flag_missing_reports
from threadline.notices.services import escalate_overdue
from threadline.notices.tasks import queue_due_deliveries
from threadline.reviews.services import chase_overdue_reports
from threadline.timescales.services import escalate_overdue_tasks


class Command(BaseCommand):
    help = (
        "Routine upkeep, to run from the scheduler every few minutes: anchor the audit "
        "chain, forget API idempotency records older than a day (they hold copies of "
        "personal data), queue a delivery run for notice emails that are due (in case a "
        "worker died mid-run), escalate notices overdue for acknowledgement and tasks overdue "
        "on the statutory clock, flag agency reports to meetings that are overdue, and "
        "chase management reviews for case reviews that are overdue (once each)."
    )

    def handle(self, *args, **options):
        seq, _ = write_anchor()
        forgotten = forget_old_idempotency_records()
        due = queue_due_deliveries()
        escalated = escalate_overdue()
        tasks = escalate_overdue_tasks()
        reports = flag_missing_reports()
        chased = chase_overdue_reports()
        self.stdout.write(
            f"Anchored audit row {seq}; forgot {forgotten} idempotency records; "
            f"{due} notice emails due; escalated {escalated} unacknowledged notices and "
            f"{tasks} overdue tasks; flagged {reports} missing meeting reports; chased {chased} "
            "overdue management reviews."
        )
