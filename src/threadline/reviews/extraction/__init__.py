"""Numbered recommendations found in a case-review document (a child safeguarding practice
review or an older serious case review), as plain text, Word (.docx) or PDF.

Pure: no database. `document_text` turns an upload into text (pages separated by form
feeds); `extract` finds the recommendations section and its numbered items, cleaning the
page furniture and markup that conversions leave behind; `addressed_to` suggests which of
the area's agencies a recommendation is for. They are heuristics over messy documents: a
person confirms what they propose before anything is saved.
"""

from .reading import MAX_BYTES, ExtractionError, document_text
from .recommendations import Proposed, addressed_to, extract

__all__ = [
    "MAX_BYTES",
    "ExtractionError",
    "Proposed",
    "addressed_to",
    "document_text",
    "extract",
]
