"""e-surat conversation engine and letter catalogue (pure: no I/O beyond loading the catalogue).

    state, effects = advance(state, inbound, ctx)

See `engine` for the order of handling, `step_table` for the steps, `steps` for how handlers
move between them, `definitions` and `fragments` for the letter type files, `formatting.format_values`
for the renderer's placeholders. The runner gives the kelurahan directory and the upload limit in
the `Context`.
"""

from flows import messages
from flows.catalogue import Catalogue, CatalogueError, load_catalogue
from flows.context import BookedVisit, Context, Directory, Kelurahan, VisitSlot
from flows.definitions import LetterTypeDef
from flows.effects import (
    AskFile,
    BookVisit,
    CancelRequest,
    CancelVisit,
    Choice,
    Effect,
    ErasePersonalData,
    RecordConsent,
    RecordSurvey,
    Reply,
    SaveProfile,
    ShowPersonalData,
    ShowStatus,
    SubmitRequest,
    VerifyDocument,
)
from flows.engine import advance
from flows.formatting import LetterValues, format_rows, format_values
from flows.inbound import (
    ChoiceMade,
    Command,
    FileReceived,
    Inbound,
    RevisionRequested,
    SurveyOffered,
    Text,
    VisitUnavailable,
)
from flows.state import SCHEMA_VERSION, ConversationState, Step

__all__ = [
    "SCHEMA_VERSION", "AskFile", "CancelRequest", "Catalogue", "CatalogueError", "Choice", "ChoiceMade", "Command",
    "Context", "ConversationState", "Directory", "Effect", "ErasePersonalData", "FileReceived", "Inbound", "Kelurahan",
    "LetterTypeDef", "LetterValues", "RecordConsent", "Reply", "RevisionRequested", "SaveProfile", "ShowPersonalData",
    "ShowStatus", "Step", "SubmitRequest", "Text",
    "BookVisit", "BookedVisit", "CancelVisit", "VisitSlot", "VisitUnavailable", "RecordSurvey", "SurveyOffered",
    "VerifyDocument",
    "advance", "format_rows", "format_values", "load_catalogue", "messages",
]
