"""Case reviews as the API reads and writes them. Input serializers only parse types and
resolve ids (subject children by person id or NHS number, agencies by id or code,
practitioners, recommendations you may see); services.py checks the rest (dates out of
order, a due date before the action was created, an action closed without accepted
evidence, a file of the wrong type) with stable codes, every problem at once, so the
fields the services check are optional here.

Files come as multipart form data (`file`, `files`, `document`) or, as for chronology
attachments, inside a JSON body as `{filename, content}` with the content base64-encoded:
each upload has one serializer of each kind. By sub-domain: `reviews` (reviews,
agencies' reports, the review chronology, extraction) and `plans` (recommendations and
actions)."""
