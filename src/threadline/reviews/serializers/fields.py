"""Fields the case-review serializers share: optional text and dates (the services
say what is missing, every problem at once) and multipart uploads."""

from rest_framework import serializers

from threadline.common.api import TextField

from ..services import TEXT_MAX


def optional_text(max_length: int = TEXT_MAX, **kwargs) -> TextField:
    return TextField(required=False, allow_blank=True, default="", max_length=max_length, **kwargs)


def optional_date(**kwargs) -> serializers.DateField:
    return serializers.DateField(required=False, allow_null=True, default=None, **kwargs)


class UploadField(serializers.FileField):
    """A file in a multipart form. Empty files and their names are checked by the
    service, with the other upload checks."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty_file", True)
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)
