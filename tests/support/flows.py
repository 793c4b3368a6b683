"""Test support for the conversation engine: sample answers, a chat driver, reaching a step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from db.seed import load_kelurahan_seed
from flows import (
    AskFile,
    Catalogue,
    ChoiceMade,
    Command,
    Context,
    ConversationState,
    Directory,
    FileReceived,
    Reply,
    SubmitRequest,
    Text,
    advance,
)
from flows.effects import MAX_BUTTONS, MAX_ROWS, MAX_TITLE
from flows.questions import current

E = TypeVar("E")  # an effect class

UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # the default of the `upload_max_bytes` setting
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 09.00 WIB

# A consistent resident: a woman born 5 July 1990 (NIK day 45 = 5 + 40).
ANSWERS: dict[str, str] = {
    "nama": "Siti Aminah", "nik": "6271034507900001", "tempat_lahir": "Palangka Raya",
    "tanggal_lahir": "05-07-1990", "jenis_kelamin": "Perempuan", "agama": "islam", "status_perkawinan": "Kawin",
    "pekerjaan": "Wiraswasta", "kewarganegaraan": "WNI", "alamat": "Jl. G. Obos XII No. 5", "rt_rw": "RT 3 RW 5",
    "no_kk": "6271032011150004", "no_hp": "0812-3456-7890", "keperluan": "Pendaftaran beasiswa anak",
    "no_pengantar_rt": "012/RT.03/XI/2026", "tanggal_pengantar_rt": "20 Nov 2026", "terdaftar_dtks": "Ya",
    "no_dtks": "3201234567", "nama_usaha": "Warung Makan Berkah", "jenis_usaha": "Warung makan",
    "alamat_usaha": "Jl. Tjilik Riwut Km 2", "sejak": "2015", "alamat_ktp": "-", "status_tempat_tinggal": "Menumpang",
    "nama_pemilik_rumah": "Ma'ruf Amin", "tinggal_sejak": "2019", "hubungan_dengan_anak": "Ibu",
    "hubungan_dengan_almarhum": "1",
    "nama_anak": "Ni Luh Putu Ayu", "jenis_kelamin_anak": "P", "tempat_lahir_anak": "RSUD dr. Doris Sylvanus",
    "tanggal_lahir_anak": "10 November 2026", "anak_ke": "2", "nama_ayah": "I Made Sudarta",
    "nama_ibu": "Siti-Aisyah", "nama_almarhum": "Abdul Rahman", "nik_almarhum": "6271030101500003",
    "jenis_kelamin_almarhum": "laki-laki", "tempat_lahir_almarhum": "Banjarmasin",
    "tanggal_lahir_almarhum": "1 januari 1950", "alamat_almarhum": "Jl. Rajawali No. 3 RT 2 RW 1",
    "tanggal_kematian": "15 agt 2026", "tempat_kematian": "Rumah", "sebab_kematian": "Sakit",
    "keterangan_sebab": "Stroke",
}
# A dependant: a boy born 12 March 2012.
DEPENDANT = {"nama": "Budi Santoso", "nik": "6271031203120002", "jenis_kelamin": "L", "tempat_lahir": "Palangka Raya",
             "tanggal_lahir": "12/03/2012", "hubungan": "Anak"}


def seed_directory() -> Directory:
    """The 30 kelurahan of Palangka Raya as migrated into a new database (in the seed's order)."""
    return Directory((k.kecamatan, k.name, k.slug) for k in load_kelurahan_seed())


def photo(ref: str = "file-1", size: int = 200_000, media_type: str = "image/jpeg") -> FileReceived:
    return FileReceived(file_ref=ref, media_type=media_type, size=size, filename=None, is_photo=True)


def check_effect(effect: Any) -> None:
    """Every prompt must be showable on every channel (the models check it too)."""
    if isinstance(effect, Reply | AskFile):
        limit = MAX_BUTTONS if effect.style == "buttons" else MAX_ROWS
        assert len(effect.choices) <= limit
        assert all(len(c.title) <= MAX_TITLE for c in effect.choices)
        lines = effect.text.splitlines()
        for i in range(1, len(effect.choices) + 1):
            assert any(line.startswith(f"{i}. ") for line in lines)


class Chat:
    """Drives the engine like a runner would: state through JSON between messages."""

    def __init__(self, catalogue: Catalogue, directory: Directory, *, profile: dict[str, str] | None = None,
                 now: datetime = NOW, state: ConversationState | None = None,
                 upload_max_bytes: int = UPLOAD_MAX_BYTES):
        self.catalogue, self.directory, self.profile, self.now = catalogue, directory, profile or {}, now
        self.upload_max_bytes = upload_max_bytes
        self.state = state or ConversationState()
        self.effects: list[Any] = []
        self.log: list[Any] = []

    @property
    def ctx(self) -> Context:
        return Context(catalogue=self.catalogue, directory=self.directory, now=self.now, profile=self.profile,
                       upload_max_bytes=self.upload_max_bytes)

    def send(self, inbound: Any) -> list[Any]:
        if isinstance(inbound, str):
            inbound = Text(text=inbound)
        before = self.state.model_dump(mode="json")
        new, self.effects = advance(self.state, inbound, self.ctx)
        assert self.state.model_dump(mode="json") == before, "advance must not modify its input"
        for e in self.effects:
            check_effect(e)
        data = new.model_dump(mode="json")
        self.state = ConversationState.model_validate(data)
        assert self.state == new
        self.log += self.effects
        return self.effects

    def press(self, value: str) -> list[Any]:
        return self.send(ChoiceMade(value=value))

    def command(self, name: str) -> list[Any]:
        return self.send(Command(name=name))

    @property
    def text(self) -> str:
        """All text of the last answer."""
        return "\n".join(e.text for e in self.effects if isinstance(e, Reply | AskFile))

    @property
    def prompt(self) -> Reply | AskFile:
        return [e for e in self.effects if isinstance(e, Reply | AskFile)][-1]

    @property
    def values(self) -> list[str]:
        """Values of the choices last offered (none when the last answer asked nothing)."""
        prompts = [e for e in self.effects if isinstance(e, Reply | AskFile)]
        return [c.value for c in prompts[-1].choices] if prompts else []

    def of(self, kind: type[E]) -> list[E]:
        """The effects of one class, in order."""
        return [e for e in self.effects if isinstance(e, kind)]

    def question(self) -> str | None:
        letter = self.catalogue.get(self.state.draft.letter_type)
        q = current(letter, self.state.draft.model_copy(deep=True)) if letter else None
        return q.key if q else None

    def start(self, kelurahan: str = "bukit tunggal") -> None:
        """Greeting, consent, kelurahan typed by name."""
        self.send("halo")
        self.press("ya")
        self.send(kelurahan)

    def choose_letter(self, code: str) -> None:
        self.press(code)
        if self.catalogue[code].online:
            self.press("lanjut")

    def fill(self, answers: dict[str, str] | None = None, dependants: int = 1, limit: int = 200,
             submit: bool = True) -> SubmitRequest | None:
        """Answer every question with `answers` until the summary, then send; the SubmitRequest."""
        added = 0
        for _ in range(limit):
            action, value = next_answer(self.catalogue, self.state, added, dependants, answers)
            if action == "summary":
                if not submit:
                    return None
                self.press("kirim")
                return self.of(SubmitRequest)[0]
            if action == "more":
                added += 1
            if action == "file":
                self.send(photo(f"ref-{value}"))
            elif action in ("press", "more"):
                self.press(value)
            else:
                self.send(value)
        raise AssertionError("conversation did not reach the summary")


def next_answer(catalogue: Catalogue, state: ConversationState, added: int, dependants: int,
                answers: dict[str, str] | None = None) -> tuple[str, str]:
    """What a resident with the sample answers does next, as (action, value): ("text", answer),
    ("press", value), ("more", "ya"/"tidak") for "tambah lagi?", ("file", attachment kind), or
    ("summary", "") when the summary is shown. Shared by the engine tests, the Telegram driver
    and the load benchmark."""
    if state.step.value == "profile":
        return "press", "ya"
    if state.step.value == "summary":
        return "summary", ""
    letter = catalogue[state.draft.letter_type or ""]
    q = current(letter, state.draft.model_copy(deep=True))
    assert q is not None, f"no question at step {state.step}"
    kind, _, rest = q.key.partition(":")
    if kind == "f":
        return "text", {**ANSWERS, **(answers or {})}[rest]
    if kind == "g":
        return "text", DEPENDANT[rest.split(":")[-1]]
    if kind == "m":
        return "more", "ya" if added < dependants else "tidak"
    if kind == "a":
        return "file", rest
    raise AssertionError(q.key)

class Answering(Protocol):
    """A simulated resident on a real channel (the Telegram driver, the load bench)."""

    async def text(self, text: str) -> None: ...
    async def press(self, value: str) -> None: ...
    async def photo(self) -> None: ...


async def answer_until_summary(
    resident: Answering, catalogue: Catalogue, state: Callable[[], Awaitable[ConversationState]],
    dependants: int, answers: dict[str, str] | None = None, *, stop_at_file: bool = False, limit: int = 120,
) -> bool:
    """Answer with `next_answer` until the summary (True) or, with `stop_at_file`, the first
    upload (False); `state()` reads the stored conversation state after each step."""
    added = 0
    for _ in range(limit):
        action, value = next_answer(catalogue, await state(), added, dependants, answers)
        if action == "summary":
            return True
        if action == "file" and stop_at_file:
            return False
        if action == "more":
            added += 1
        if action == "file":
            await resident.photo()
        elif action in ("press", "more"):
            await resident.press(value)
        else:
            await resident.text(value)
    raise AssertionError("conversation did not reach the summary")


PROFILE = {k: v for k, v in {
    "nama": "Siti Aminah", "nik": "6271034507900001", "tempat_lahir": "Palangka Raya", "tanggal_lahir": "1990-07-05",
    "jenis_kelamin": "P", "agama": "islam", "status_perkawinan": "kawin", "pekerjaan": "Wiraswasta",
    "kewarganegaraan": "WNI", "alamat": "Jl. G. Obos XII No. 5", "rt_rw": "003/005", "no_kk": "6271032011150004",
    "no_hp": "+6281234567890",
}.items()}


def reach(chat: Any, step: str) -> None:
    """Drive `chat` (SKTM at Bukit Tunggal) to `step`."""
    if step == "idle":
        return
    chat.send("halo")
    if step == "consent":
        return
    chat.press("ya")
    if step == "kecamatan":
        return
    chat.press("Jekan Raya")
    if step == "kelurahan":
        return
    chat.press("bukit-tunggal")
    if step == "letter":
        return
    chat.press("sktm")
    if step == "requirements":
        return
    chat.press("lanjut")
    if step in ("profile", "fill_first"):
        return
    if step in ("fill", "confirm_cancel", "resume"):
        chat.send(ANSWERS["nama"])
        if step == "confirm_cancel":
            chat.send("batal")
        if step == "resume":
            chat.now += timedelta(hours=25)
            chat.send("halo")
        return
    chat.fill(submit=False)
    if step == "fix_pick":
        chat.press("ubah")
