"""The identity review queue: thin views — form → one service call → redirect. Every route
is for those who decide identities (`RESOLVE_IDENTITIES`: safeguarding leads and
front-door officers, else 403); a pair or record outside their reach is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from threadline.sharing.routes import RESOLVE_IDENTITIES, audit_refusal, requires
from threadline.web.pages import posted, save_form

from . import selectors, services
from .forms import DecisionForm, QueueFilterForm, UndoLinkForm
from .models import LinkMethod, MatchCandidate, MatchStatus


def _in_reach(http_request, look_up, **kwargs):
    """The pair, record or link the route names; outside the actor's reach a 404, audited
    like the route's own refusals."""
    try:
        return look_up(**kwargs)
    except Http404:
        audit_refusal(http_request)
        raise


@require_GET
@requires(RESOLVE_IDENTITIES)
def review_queue(request):
    form = QueueFilterForm(request.GET or {"status": MatchStatus.PENDING})
    status = form.cleaned_data["status"] if form.is_valid() else MatchStatus.PENDING
    pairs = selectors.review_queue(actor=request.user, status=status, request=request)
    return render(
        request,
        "linkage/match_list.html",
        {"form": form, "pairs": list(pairs[:200]), "status": status},
    )


def _pair_page(request, pair, form):
    return render(
        request,
        "linkage/match_detail.html",
        {
            "pair": pair,
            "form": form,
            "rows": selectors.side_by_side(pair),
            "reasons": selectors.reasons(pair.contributions),
            "percentage": selectors.percentage(pair.probability),
            "likelihood": selectors.likelihood(pair.probability),
        },
    )


@require_GET
@requires(RESOLVE_IDENTITIES)
def match_detail(request, match_id):
    pair = _in_reach(
        request,
        selectors.get_match_record,
        actor=request.user,
        match_id=match_id,
        request=request,
    )
    return _pair_page(request, pair, DecisionForm())


@require_POST
@requires(RESOLVE_IDENTITIES)
def match_decide(request, match_id):
    pair = _in_reach(request, selectors.get_match_for, actor=request.user, match_id=match_id)
    form = DecisionForm(posted(request))
    saved = save_form(
        request,
        form,
        lambda data: services.decide_match(
            actor=request.user, candidate=pair, decision=data["decision"], request=request
        ),
        done=_decided,
        then=reverse("identity-queue"),
    )
    return saved or _pair_page(request, pair, form)


def _decided(pair: MatchCandidate) -> str:
    """The banner after a decision: for "not the same", what then became of the record
    (without naming anyone the decider has not been shown)."""
    record, person = pair.record, pair.person
    if pair.status == MatchStatus.SAME:
        return f"{record} is linked to {person.full_name}"
    said = f"Recorded: {record} is not {person.full_name}"
    if record.person_id is None:
        if record.candidates.filter(status=MatchStatus.PENDING).exists():
            return f"{said}. It waits for a decision on another possible match"
        return said
    link = record.links.get(undone_at__isnull=True)
    if link.method == LinkMethod.NEW_PERSON:
        return f"{said}. It matched no one else, so a new person was recorded for it"
    return f"{said}. It matched someone recorded since, and is linked to them"


@require_GET
@requires(RESOLVE_IDENTITIES)
def record_detail(request, record_id):
    record = _in_reach(
        request,
        selectors.get_source_record,
        actor=request.user,
        record_id=record_id,
        request=request,
    )
    return render(
        request,
        "linkage/record_detail.html",
        {"record": record, "undo_form": UndoLinkForm(), **selectors.history_of(record)},
    )


@require_http_methods(["GET", "POST"])
@requires(RESOLVE_IDENTITIES)
def link_undo(request, link_id):
    if request.method == "GET":
        link = _in_reach(
            request,
            selectors.get_link_record,
            actor=request.user,
            link_id=link_id,
            request=request,
        )
    else:
        link = _in_reach(request, selectors.get_link_for, actor=request.user, link_id=link_id)
    back = reverse("identity-record", args=[link.record_id])
    if not link.is_current:
        messages.info(request, "This link has already been undone; it stays in the history")
        return redirect(back)
    form = UndoLinkForm(posted(request))
    saved = save_form(
        request,
        form,
        lambda data: services.undo_link(
            actor=request.user, link=link, reason=data["reason"], request=request
        ),
        done=f"The link of {link.record} to {link.person.full_name} is undone",
        then=back,
    )
    return saved or render(request, "linkage/link_undo.html", {"form": form, "link": link})
