"""Referral pages: thin views — form → one service call → redirect."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.people.models import Person, PersonKind
from threadline.sharing.policy import can_decide_referral, get_person_for, people_visible_to
from threadline.sharing.routes import (
    FRONT_DOOR,
    LINK_CHILDREN,
    SIGNED_IN,
    VIEW_PERSON,
    refuse,
    requires,
)
from threadline.web.pages import posted, save_form

from . import selectors, services
from .forms import (
    NEW_CHILD_ERRORS,
    AdultChildrenForm,
    DecisionForm,
    NewChildReferralForm,
    ReferralForm,
)
from .models import AdultChildLink, ReferralStatus


def _done(referral) -> str:
    return (
        f"Referral sent to {referral.local_authority.name}. A decision is due by "
        f"{timezone.localtime(referral.decision_due_at):%H:%M on %A %d %B}"
    )


def _then(referral) -> str:
    return reverse("referral-detail", args=[referral.pk])


def _form_page(request, form, *, child=None, parent=None, link=None):
    agency = request.user.agency
    front_door = selectors.front_door_for(child=child, referrer_agency=agency) if agency else None
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "child": child, "parent": parent, "link": link, "front_door": front_door},
    )


def _link(request, **match) -> AdultChildLink | None:
    """The adult-services link a referral was prompted by (`?link=`), if it is the
    actor's agency's and still waiting for one."""
    link = selectors.adult_link_for(actor=request.user, link_id=request.GET.get("link"))
    if link is None or any(getattr(link, k) != v for k, v in match.items()):
        return None
    return link


@require_http_methods(["GET", "POST"])
@requires(SIGNED_IN)
def referral_create(request):
    """A referral of a child not yet on Threadline, born or unborn; `?parent=` names an
    adult the actor can see as the child's parent ("Baby of …")."""
    link = _link(request, child=None)
    parent = link.adult if link else None
    if parent is None and request.GET.get("parent"):
        parent = get_person_for(request.user, request.GET["parent"])
    initial: dict = {}
    if link is not None:
        words = link.child_name.split()
        initial = {
            "kind": PersonKind.CHILD,
            "given_names": " ".join(words[:-1]),
            "family_name": words[-1] if words else "",
            "date_of_birth": link.child_date_of_birth,
        }
    if parent is not None and request.method == "GET":
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=parent,
            summary=f"Opened a referral of a child of {parent.full_name}",
            request=request,
        )
    form = NewChildReferralForm(posted(request), initial=initial, parent=parent)
    saved = save_form(
        request,
        form,
        lambda data: services.make_referral(
            actor=request.user,
            new_child=form.child_data(),
            parent=parent,
            parent_relationship=data.get("parent_relationship") or "mother",
            link=link,
            request=request,
            **form.referral_data(),
        ),
        done=_done,
        then=_then,
        field_map=NEW_CHILD_ERRORS,
    )
    return saved or _form_page(request, form, parent=parent, link=link)


@require_http_methods(["GET", "POST"])
@requires(VIEW_PERSON)
def child_referral_create(request, person: Person):
    if not person.is_child:
        raise Http404("Referrals are about children")
    link = _link(request, child=person)
    form = ReferralForm(posted(request))
    saved = save_form(
        request,
        form,
        lambda data: services.make_referral(
            actor=request.user, child=person, link=link, request=request, **form.referral_data()
        ),
        done=_done,
        then=_then,
    )
    return saved or _form_page(request, form, child=person, link=link)


@require_GET
@requires(SIGNED_IN)
def referral_list(request):
    referrals = list(selectors.referrals_made(actor=request.user, request=request)[:200])
    return render(request, "referrals/referral_list.html", {"referrals": referrals})


@require_GET
@requires(FRONT_DOOR)
def front_door(request):
    waiting = list(selectors.front_door_queue(actor=request.user, request=request))
    decided = list(selectors.recently_decided(actor=request.user))
    return render(
        request,
        "referrals/front_door.html",
        {"waiting": waiting, "decided": decided, "overdue": sum(r.is_overdue for r in waiting)},
    )


@require_GET
@requires(SIGNED_IN)
def referral_detail(request, referral_id):
    referral = selectors.get_referral_record(
        actor=request.user, referral_id=referral_id, request=request
    )
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "can_decide": referral.status == ReferralStatus.AWAITING_DECISION
            and can_decide_referral(request.user, referral),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(FRONT_DOOR)
def referral_decide(request, referral_id):
    referral = selectors.get_referral_for(request.user, referral_id)
    if not can_decide_referral(request.user, referral):
        raise refuse(request)
    if referral.status != ReferralStatus.AWAITING_DECISION:
        messages.info(request, "This referral has already been decided")
        return redirect("referral-detail", referral_id=referral.pk)
    if request.method == "GET":
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=referral,
            child=referral.child,
            summary=f"Opened the referral of {referral.child.full_name} to decide",
            request=request,
        )
    form = DecisionForm(posted(request))
    saved = save_form(
        request,
        form,
        lambda data: services.decide_referral(
            actor=request.user, referral=referral, request=request, **data
        ),
        done=lambda decided: (
            f"Decision recorded; {decided.referrer.get_full_name()} has been sent the outcome"
        ),
        then=lambda decided: reverse("front-door"),
    )
    return saved or render(
        request, "referrals/referral_decide.html", {"form": form, "referral": referral}
    )


# --- adult-to-child links -------------------------------------------------------------


def _adult(person: Person) -> Person:
    if person.kind != PersonKind.ADULT:
        raise Http404("This page is about an adult")
    return person


@require_GET
@requires(LINK_CHILDREN)
def adult_children(request, person: Person):
    links = list(selectors.adult_links(actor=request.user, adult=_adult(person)))
    return render(request, "referrals/adult_children.html", {"person": person, "links": links})


@require_http_methods(["GET", "POST"])
@requires(LINK_CHILDREN)
def adult_children_add(request, person: Person):
    adult = _adult(person)
    linked = selectors.adult_links(actor=request.user, adult=adult).exclude(child=None)
    children = list(
        people_visible_to(request.user)
        .filter(kind__in=[PersonKind.CHILD, PersonKind.UNBORN])
        .exclude(pk__in=linked.values("child_id"))
        .order_by("family_name", "given_names")[:100]
    )
    form = AdultChildrenForm(posted(request), children=children)
    by_id = {str(c.pk): c for c in children}
    saved = save_form(
        request,
        form,
        lambda data: services.record_children_of_adult(
            actor=request.user,
            adult=adult,
            relationship=data["relationship"],
            children=[by_id[pk] for pk in data.get("children", [])],
            other_children=form.other_children(),
            request=request,
        ),
        done=f"Children of {adult.full_name} recorded",
        then=reverse("adult-children", args=[adult.pk]),
    )
    return saved or render(
        request, "referrals/adult_children_form.html", {"form": form, "person": adult}
    )
