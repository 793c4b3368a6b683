"""`esurat check`: every stored letter PDF against the SHA-256 in its row, and every attachment row
against its file (present, of the size and SHA-256 recorded). Files deleted on purpose (retention,
`hapus data saya`) are not looked for. Read only; the CLI prints the problems, one plain line each."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Attachment, Letter

BATCH = 500

WHAT = {  # problem -> (Indonesian, English)
    "missing": ("berkas tidak ada", "file missing"),
    "sha256": ("isi berubah: SHA-256 tidak cocok", "corrupt: SHA-256 mismatch"),
    "size": ("ukuran tidak cocok", "corrupt: size mismatch"),
    "outside": ("jalur di luar folder data", "path outside the data folder"),
}


@dataclass(frozen=True)
class Problem:
    kind: str  # "surat" (a letter) | "lampiran" (an attachment)
    name: str  # the letter's number, or "#<attachment id> (<kind>)"
    path: Path
    what: str  # a key of WHAT

    def line(self) -> str:
        label = "HILANG" if self.what == "missing" else "RUSAK"
        indonesian, english = WHAT[self.what]
        return f"{label} {self.kind} {self.name} ({self.path}): {indonesian} / {english}"


@dataclass
class Report:
    letters: int = 0
    attachments: int = 0
    deleted: int = 0  # attachment files deleted on purpose (not looked for)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counted = f"{self.letters} surat dan {self.attachments} lampiran"
        english = f"{self.letters} letters and {self.attachments} attachments"
        if self.ok:
            return f"Diperiksa {counted}: semua utuh. / Checked {english}: all intact."
        n = len(self.problems)
        return f"Diperiksa {counted}: {n} bermasalah. / Checked {english}: {n} with problems."


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _problem(root: Path, relative: str, sha256: str, size: int | None) -> tuple[str | None, Path]:
    base = root.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base):
        return "outside", path
    if not path.is_file():
        return "missing", path
    if size is not None and path.stat().st_size != size:
        return "size", path
    if _sha256(path) != sha256:
        return "sha256", path
    return None, path


async def check_files(sessions: async_sessionmaker[AsyncSession], letters_dir: Path, uploads_dir: Path) -> Report:
    report = Report()
    async with sessions() as session:
        last = 0
        while batch := list(await session.scalars(
            select(Letter).where(Letter.id > last).order_by(Letter.id).limit(BATCH)
        )):
            for letter in batch:
                report.letters += 1
                what, path = _problem(letters_dir, letter.pdf_path, letter.pdf_sha256, None)
                if what:
                    report.problems.append(Problem("surat", letter.number, path, what))
            last = batch[-1].id
        last = 0
        while batch := list(await session.scalars(
            select(Attachment).where(Attachment.id > last).order_by(Attachment.id).limit(BATCH)
        )):
            for att in batch:
                if att.deleted_at is not None:
                    report.deleted += 1
                    continue
                report.attachments += 1
                what, path = _problem(uploads_dir, att.path, att.sha256, att.size)
                if what:
                    report.problems.append(Problem("lampiran", f"#{att.id} ({att.kind})", path, what))
            last = batch[-1].id
    return report
