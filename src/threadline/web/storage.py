"""Static files in production: WhiteNoise's compressed, hashed storage, except that
GOV.UK Frontend's footer stylesheet names the crown's image (the copyright logo).
Threadline is not a gov.uk service: it neither ships nor shows the crown, so that one
reference is left as it is rather than failing `collectstatic`."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

NOT_SHIPPED = ("govuk/assets/images/govuk-crest.svg",)


class StaticStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, *args, **kwargs):
        convert = super().url_converter(name, hashed_files, *args, **kwargs)

        def converter(matchobj):
            if matchobj["url"].lstrip("/").removeprefix("static/") in NOT_SHIPPED:
                return matchobj["matched"]
            return convert(matchobj)

        return converter
