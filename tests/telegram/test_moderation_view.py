"""The staff's view in the Telegram group (issue #11): files captioned by what they are, every dependant
on the card, a correction that asks only what the note names and keeps the files, and a re-submitted
card that says what changed (with the new file posted, marked as new)."""

from __future__ import annotations

from tests.support.flows import DEPENDANT
from tests.support.telegram import GROUP, RESIDENT_ID, World, submitted_request


async def test_the_card_shows_the_dependants_and_labels_the_files(world: World) -> None:
    req = await submitted_request(world)
    card = world.staff().card(req.code)["text"]
    assert DEPENDANT["nama"] in card and DEPENDANT["nik"] in card
    assert "Tanggungan (1 orang)" in card and "WIB" in card and "UTC" not in card
    captions = [p.caption for p in world.tg.sent_photos(GROUP)]
    assert captions == [f"{req.code}: Surat Pengantar RT/RW", f"{req.code}: KTP", f"{req.code}: Kartu Keluarga"]
    assert "- Surat Pengantar RT/RW\n- KTP\n- Kartu Keluarga" in card


async def test_a_correction_of_the_address_keeps_the_files_and_the_card_says_what_changed(world: World) -> None:
    req = await submitted_request(world)
    staff = world.staff()
    await staff.press(req.code, "revise")
    await staff.reply_to_prompt("Alamat kurang lengkap, mohon tulis nomor rumah")
    told = "\n".join(world.tg.messages_to(RESIDENT_ID)[-3:])
    assert f"permohonan {req.code}" in told and "nomor " + str(req.id) not in told
    resident = world.resident()
    await resident.text("Jl. G. Obos XII No. 5A")
    assert (await resident.state()).step.value == "summary"  # no file asked again
    photos_before = len(world.tg.sent_photos(GROUP))
    await resident.press("kirim")
    card = staff.card(req.code)["text"]
    assert "Perubahan sejak versi sebelumnya:\n- Alamat: Jl. G. Obos XII No. 5 → Jl. G. Obos XII No. 5A" in card
    assert "- KTP (tidak berubah)" in card and "berkas baru" not in card
    assert len(world.tg.sent_photos(GROUP)) == photos_before  # nothing new to post


async def test_a_new_file_in_a_correction_is_posted_and_marked_new(world: World) -> None:
    req = await submitted_request(world)
    staff = world.staff()
    await staff.press(req.code, "revise")
    await staff.reply_to_prompt("Foto KTP buram")
    resident = world.resident()
    state = await resident.state()
    assert state.step.value == "fill" and state.draft.editing == ["a:ktp"]
    assert "lanjut untuk memakai berkas sebelumnya" in world.tg.messages_to(RESIDENT_ID)[-1]
    await resident.photo()
    await resident.press("kirim")
    card = staff.card(req.code)["text"]
    assert "- KTP: berkas baru" in card and "- KTP (baru)" in card
    assert world.tg.sent_photos(GROUP)[-1].caption == f"{req.code}: KTP (baru)"
