"""The message templates sent outside WhatsApp's 24-hour customer-service window, as data.

A deployment registers each in WhatsApp Manager (category "Utility", the language of
`ESURAT_WHATSAPP_TEMPLATE_LANGUAGE`, default "id") under the name its setting gives, with exactly this body
text; the README lists them from here. Body parameters are filled from the message's `Notice` (what it
announces: code, title, number, detail); `issued` also has a DOCUMENT header carrying the letter's PDF.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config.settings import WhatsAppSettings
from db.outbound import Notice

PARAM_MAX = 100  # a short value (code, title, number)
DETAIL_MAX = 600  # a reason, a note, a message's text; the whole body must stay within 1024 characters
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class TemplateText:
    setting: str  # the WhatsAppSettings field that names the template
    body: str  # with {{1}}, {{2}} ... in the order of `params`
    params: Callable[[Notice], list[str]] | None  # None: the message's own text
    document_header: bool = False

    def name(self, settings: WhatsAppSettings) -> str:
        return str(getattr(settings, self.setting))


TEMPLATES: dict[str, TemplateText] = {
    "approve": TemplateText(
        "template_approved",
        "Permohonan {{1}} ({{2}}) Anda DISETUJUI. Nomor surat: {{3}}. Surat sedang diterbitkan dan akan "
        "dikirim melalui WhatsApp ini.",
        lambda n: [n.code, n.title, n.number]),
    "reject": TemplateText(
        "template_rejected",
        "Mohon maaf, permohonan {{1}} ({{2}}) Anda DITOLAK. Alasan: {{3}}. Balas pesan ini bila ada "
        "pertanyaan.",
        lambda n: [n.code, n.title, n.detail]),
    "request_revision": TemplateText(
        "template_revision",
        "Petugas kelurahan meminta perbaikan untuk permohonan {{1}} ({{2}}). Catatan: {{3}}. Balas pesan ini "
        "untuk melanjutkan perbaikan.",
        lambda n: [n.code, n.title, n.detail]),
    "revoke": TemplateText(
        "template_revoked",
        "Surat nomor {{1}} ({{2}}) telah DICABUT. Alasan: {{3}}. Balas pesan ini bila ada pertanyaan.",
        lambda n: [n.number, n.title, n.detail]),
    "issue": TemplateText(
        "template_issued",
        "Surat {{1}} Anda telah terbit dengan nomor {{2}} (permohonan {{3}}). Keaslian surat dapat diperiksa "
        "dengan memindai kode QR pada surat terlampir.",
        lambda n: [n.title, n.number, n.code], document_header=True),
    "update": TemplateText(
        "template_update",
        "Ada pesan baru dari layanan e-surat kelurahan: {{1}}. Balas pesan ini untuk melanjutkan.",
        None),
}


def clean_param(value: str, limit: int = PARAM_MAX) -> str:
    """A template text parameter the Cloud API accepts: one line (no newlines or tabs, no runs of spaces),
    not empty, at most `limit` characters."""
    text = _SPACES.sub(" ", value).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or "-"


def template_for(notice: Notice | None, *, with_document: bool) -> TemplateText:
    """The template of a notice's event; `update` for every other event, for a message without a notice,
    and for `issue` when there is no document to attach."""
    spec = TEMPLATES.get(notice.event) if notice is not None else None
    if spec is None or (spec.document_header and not with_document):
        return TEMPLATES["update"]
    return spec


def template_message(spec: TemplateText, settings: WhatsAppSettings, notice: Notice | None, text: str,
                     document: tuple[str, str] | None = None) -> dict[str, Any]:
    """The Cloud API message of a template: body parameters from `notice` (or the message's `text`), and for a
    template with a DOCUMENT header the uploaded (media id, filename)."""
    values = spec.params(notice) if spec.params is not None and notice is not None else [text]
    params = [clean_param(v, DETAIL_MAX if i == len(values) - 1 else PARAM_MAX) for i, v in enumerate(values)]
    components: list[dict[str, Any]] = []
    if spec.document_header and document is not None:
        media_id, filename = document
        components.append({"type": "header", "parameters": [
            {"type": "document", "document": {"id": media_id, "filename": filename}}]})
    components.append({"type": "body", "parameters": [{"type": "text", "text": p} for p in params]})
    return {"type": "template", "template": {"name": spec.name(settings),
                                             "language": {"code": settings.template_language},
                                             "components": components}}


def readme_table(settings: WhatsAppSettings | None = None) -> str:
    """The templates as the README lists them (name, setting, header, body)."""
    settings = settings if settings is not None else WhatsAppSettings()
    lines = ["| Template (default name) | Setting | Header | Body text |", "|---|---|---|---|"]
    for spec in TEMPLATES.values():
        env = f"ESURAT_WHATSAPP_{spec.setting.upper()}"
        lines.append(f"| `{spec.name(settings)}` | `{env}` | {'DOCUMENT' if spec.document_header else '-'} "
                     f"| {spec.body} |")
    return "\n".join(lines)
