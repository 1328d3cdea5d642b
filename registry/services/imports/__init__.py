"""Importing the spreadsheets offices keep: honoree lists, past years' awards, yearly ratings.

One path for the admin, the commands and the tests:

    batch = import_preview(kind=..., data=..., file_name=..., decision=... | authority=...)
    batch = import_confirm(batch=batch, choices={line_index: recipient_id or "new"}, user=...)

The preview reads the workbook once (header row found wherever it is, legacy TCVN3/VNI text
converted), matches recipients in bulk, checks every line with the decision rules, and keeps
the parsed lines in ``ImportBatch.payload``. A preview with errors is returned unsaved: bad
input writes nothing. Confirm writes everything from the payload in one transaction.

workbook.py reads and guards the file, rows.py turns sheets into typed lines (ImportLine, in
lines.py), matching.py finds the people they name, awardtypes.py the award types, kinds/ holds
one class per kind of list with its preview and confirm (target results among them),
batches.py the entry points below, template.py the template workbook.
"""

from registry.services.recipients import recipients_merge

from .awardtypes import award_type_by_code
from .batches import (
    batch_lines,
    import_batches_clear,
    import_confirm,
    import_discard,
    import_preview,
    import_report,
    preview_expiry,
    problems_as_text,
)
from .kinds import KINDS, TargetResults
from .lines import COLLECTIVE, HOUSEHOLD, INDIVIDUAL, KIND_FIELD, KIND_MODELS, ImportLine
from .matching import match_recipients
from .rows import HEADER_ALIASES, find_header, header_key, parse_sheets
from .template import template_workbook
from .workbook import HEADER_SCAN_ROWS, FileProblem, check_upload_size, workbook_rows

__all__ = [
    "COLLECTIVE",
    "HEADER_ALIASES",
    "HEADER_SCAN_ROWS",
    "HOUSEHOLD",
    "INDIVIDUAL",
    "KINDS",
    "KIND_FIELD",
    "KIND_MODELS",
    "TargetResults",
    "FileProblem",
    "ImportLine",
    "award_type_by_code",
    "batch_lines",
    "check_upload_size",
    "find_header",
    "header_key",
    "import_batches_clear",
    "import_confirm",
    "import_discard",
    "import_preview",
    "import_report",
    "match_recipients",
    "parse_sheets",
    "preview_expiry",
    "problems_as_text",
    "recipients_merge",
    "template_workbook",
    "workbook_rows",
]
