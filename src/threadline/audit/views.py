from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from threadline.sharing.policy import people_visible_to
from threadline.sharing.routes import AUDIT, requires

from .forms import AuditSearchForm
from .selectors import audit_trail


@require_GET
@requires(AUDIT)
def audit_search(request):
    """Search the audit trail; `?child=<id>` answers "who has looked at this child"."""
    form = AuditSearchForm(request.GET or None)
    page, child = None, None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        child_id = data.get("child")
        if child_id:
            child = people_visible_to(request.user).filter(pk=child_id).first()
        events = audit_trail(
            actor=request.user,
            child_id=child_id,
            username=data.get("username", ""),
            action=data.get("action", ""),
            since=data.get("since"),
            until=data.get("until"),
            request=request,
        )
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/audit_search.html", {"form": form, "page": page, "child": child})
