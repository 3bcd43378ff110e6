"""Legal-status pages: thin views — form → one service call → redirect. The routes fetch
the order through the policy (`@requires(VIEW_ORDER)`: 404 if the actor may not see the
child) and let only the agencies that record that kind of order change it
(`CHANGE_ORDER`: 403). What each kind of order means is open to every practitioner."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from threadline.people.models import Person
from threadline.sharing.policy import can_record_order
from threadline.sharing.routes import (
    CHANGE_ORDER,
    RECORD_ORDER,
    SIGNED_IN,
    VIEW_ORDER,
    audit_refusal,
    requires,
)
from threadline.web.pages import posted, save_form

from . import services
from .explanations import EXPLANATIONS
from .forms import FIELD_MAP, ConcludeForm, EndForm, ExtendForm, OrderForm
from .models import LegalOrder, OrderType

EXTENDABLE = (OrderType.SUPERVISION_ORDER, OrderType.EMERGENCY_PROTECTION_ORDER)


@require_http_methods(["GET", "POST"])
@requires(RECORD_ORDER)
def order_create(request, person: Person):
    if not person.is_child:
        audit_refusal(request)
        raise Http404("Plans and orders are about children")
    types = [kind for kind in OrderType.values if can_record_order(request.user, kind)]
    form = OrderForm(posted(request), types=types)
    saved = save_form(
        request,
        form,
        lambda data: services.make_order(
            actor=request.user, child=person, request=request, **form.service_fields()
        ),
        done=lambda order: f"{order.get_order_type_display()} recorded for {person.full_name}",
        then=person.get_absolute_url(),
        field_map=FIELD_MAP,
    )
    return saved or render(request, "orders/order_form.html", {"form": form, "person": person})


@require_GET
@requires(VIEW_ORDER)
def order_detail(request, order: LegalOrder):
    today = timezone.localdate()
    may_change = can_record_order(request.user, order.order_type)
    open_ = order.ended_on is None
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "in_force": order.in_force_on(today),
            "expired": open_ and order.ends_on is not None and order.ends_on < today,
            "extensions": list(order.extensions.select_related("recorded_by")),
            "explanation": EXPLANATIONS[OrderType(order.order_type)],
            "can_extend": may_change and open_ and order.order_type in EXTENDABLE,
            "can_conclude": may_change and open_ and order.order_type == OrderType.CARE_PROCEEDINGS,
            "can_end": may_change and open_ and order.order_type != OrderType.CARE_PROCEEDINGS,
        },
    )


def _refused(request, order: LegalOrder, allowed: bool, why: str):
    """A redirect back to the order when this change no longer applies to it."""
    if allowed:
        return None
    messages.info(request, why)
    return redirect(order.get_absolute_url())


def _change_page(request, order: LegalOrder, form, template: str, save, done: str):
    saved = save_form(request, form, save, done=done, then=order.get_absolute_url())
    return saved or render(request, template, {"form": form, "order": order})


@require_http_methods(["GET", "POST"])
@requires(CHANGE_ORDER)
def order_extend(request, order: LegalOrder):
    refused = _refused(
        request,
        order,
        order.ended_on is None and order.order_type in EXTENDABLE,
        "Only a supervision order or an emergency protection order in force is extended",
    )
    return refused or _change_page(
        request,
        order,
        ExtendForm(posted(request)),
        "orders/order_extend.html",
        lambda data: services.extend_order(
            actor=request.user, order=order, request=request, **data
        ),
        f"{order.get_order_type_display()} extended",
    )


@require_http_methods(["GET", "POST"])
@requires(CHANGE_ORDER)
def order_end(request, order: LegalOrder):
    if order.order_type == OrderType.CARE_PROCEEDINGS and order.ended_on is None:
        return redirect("order-conclude", order_id=order.pk)
    refused = _refused(request, order, order.ended_on is None, "This has already ended")
    return refused or _change_page(
        request,
        order,
        EndForm(posted(request)),
        "orders/order_end.html",
        lambda data: services.end_order(actor=request.user, order=order, request=request, **data),
        f"{order.get_order_type_display()} ended: it stays in the history",
    )


@require_http_methods(["GET", "POST"])
@requires(CHANGE_ORDER)
def order_conclude(request, order: LegalOrder):
    refused = _refused(
        request,
        order,
        order.ended_on is None and order.order_type == OrderType.CARE_PROCEEDINGS,
        "Only care proceedings still going on conclude with an outcome",
    )
    return refused or _change_page(
        request,
        order,
        ConcludeForm(posted(request)),
        "orders/order_conclude.html",
        lambda data: services.conclude_proceedings(
            actor=request.user, order=order, request=request, **data
        ),
        "Proceedings concluded: the agencies involved have been sent the outcome",
    )


@require_GET
@requires(SIGNED_IN)
def order_type_explained(request, order_type: str):
    if order_type not in OrderType.values:
        raise Http404("No such kind of plan or order")
    kind = OrderType(order_type)
    return render(
        request,
        "orders/order_type_explained.html",
        {
            "kind": kind,
            "explanation": EXPLANATIONS[kind],
            "others": [t for t in OrderType if t != kind],
        },
    )
