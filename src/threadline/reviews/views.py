"""Case-review pages (being built)."""

from django.http import Http404


def review_detail(request, review_id):
    raise Http404


def action_detail(request, action_id):
    raise Http404
