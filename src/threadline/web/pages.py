"""One way for a form page to save: on a valid POST call the service, show its errors on
the form (GOV.UK error summary) or say what was done and redirect."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from .forms import GovUKForm


def posted(request):
    """The submitted data for a form, even when every box was left empty
    (`request.POST or None` would show such a form as unsubmitted)."""
    return request.POST if request.method == "POST" else None


def save_form(
    request,
    form: GovUKForm,
    save: Callable[[dict], object],
    *,
    done: str | Callable[[object], str],
    then: str | Callable[[object], str],
    field_map: dict | None = None,
) -> HttpResponse | None:
    """Returns the redirect after a successful save, or None to (re)show the form.
    `done` and `then` may be functions of what `save` returned."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error, field_map=field_map)
        return None
    messages.success(request, done(saved) if callable(done) else done)
    return redirect(then(saved) if callable(then) else then)
