"""The inbox: a practitioner's notices and their agency's, opened and acknowledged."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from threadline.sharing.policy import reads_agency_inbox
from threadline.sharing.routes import SIGNED_IN, requires

from . import selectors, services
from .selectors import BOXES


@require_GET
@requires(SIGNED_IN)
def inbox(request):
    actor = request.user
    box = request.GET.get("box", "all")
    if box not in BOXES or (box == "agency" and not reads_agency_inbox(actor)):
        box = "all"
    rows = list(selectors.inbox(actor, box=box, request=request)[:200])
    return render(
        request,
        "notices/inbox.html",
        {
            "rows": rows,
            "box": box,
            "box_label": BOXES[box],
            "boxes": {k: v for k, v in BOXES.items() if k != "agency" or reads_agency_inbox(actor)},
        },
    )


@require_GET
@requires(SIGNED_IN)
def notice_detail(request, recipient_id):
    recipient = selectors.notice_for(request.user, recipient_id)
    services.mark_read(actor=request.user, recipient=recipient, request=request)
    return render(request, "notices/notice.html", {"r": recipient, "notice": recipient.notice})


@require_POST
@requires(SIGNED_IN)
def notice_acknowledge(request, recipient_id):
    recipient = selectors.notice_for(request.user, recipient_id)
    try:
        services.acknowledge(actor=request.user, recipient=recipient, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Acknowledged: {recipient.notice.title}")
    return redirect(reverse("notice-detail", args=[recipient.pk]))
