"""A returning resident is offered their last kelurahan first; a letter that needs a visit says where,
when and what next (issue #11)."""

from __future__ import annotations

from dataclasses import replace

from flows import Catalogue, Context, Directory, Kelurahan, Step
from tests.support.flows import Chat, seed_directory


class ReturningChat(Chat):
    @property
    def ctx(self) -> Context:
        return replace(super().ctx, last_kelurahan="menteng")


def test_the_last_kelurahan_is_offered_first(catalogue: Catalogue, directory: Directory) -> None:
    chat = ReturningChat(catalogue, directory)
    chat.send("halo")
    chat.press("ya")
    assert chat.values[0] == "menteng" and "Kelurahan Menteng" in chat.text
    chat.press("menteng")
    assert chat.state.step == Step.LETTER and chat.state.draft.kelurahan_slug == "menteng"


def test_the_last_kelurahan_by_number_and_another_kecamatan(catalogue: Catalogue, directory: Directory) -> None:
    chat = ReturningChat(catalogue, directory)
    chat.send("halo")
    chat.press("ya")
    chat.send("1")
    assert chat.state.draft.kelurahan_slug == "menteng"
    other = ReturningChat(catalogue, directory)
    other.send("halo")
    other.press("ya")
    other.send("Pahandut")
    assert other.state.step == Step.KELURAHAN and other.state.draft.kecamatan == "Pahandut"


def test_a_new_resident_picks_the_kecamatan(chat: Chat) -> None:
    chat.send("halo")
    chat.press("ya")
    assert chat.values[0] == "Pahandut"


def test_a_visit_letter_gives_the_office_address_hours_and_next_step(catalogue: Catalogue) -> None:
    seeded = seed_directory().kelurahan
    directory = Directory([replace(k, address="Jl. Rajawali No. 7", phone="(0536) 3221234")
                           if k.slug == "menteng" else k for k in seeded])
    chat = Chat(catalogue, directory)
    chat.start("menteng")
    chat.send("ahli waris")
    assert chat.state.step == Step.IDLE
    assert "Alamat: Jl. Rajawali No. 7" in chat.text and "Telepon: (0536) 3221234" in chat.text
    assert "Jam layanan: Senin-Jumat" in chat.text and "Langkah berikutnya:" in chat.text


def test_a_visit_letter_without_office_data_still_gives_hours_and_next_step(chat: Chat) -> None:
    chat.start("menteng")
    chat.send("ahli waris")
    assert "Alamat:" not in chat.text and "Jam layanan:" in chat.text and "Langkah berikutnya:" in chat.text


def test_kelurahan_keeps_its_office_data() -> None:
    assert Kelurahan("Jekan Raya", "Menteng", "menteng").address == ""
