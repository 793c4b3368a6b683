"""The satisfaction survey end to end in a resident's channel (the web chat's JSON API), on every database:
SKTM submitted in the chat, approved by staff, the letter issued -> the survey's question arrives in the
chat after the letter -> answers and a comment -> one `skm_response` row; a second answer is ignored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db.models import Kelurahan, OutboxMessage, SkmResponse
from db.models import Resident as ResidentRow
from flows import RecordSurvey
from stats.skm import ASKED
from tests.support.webchat import Demo
from tests.web.test_api import SLUG, act, cards, submitted_sktm


async def responses(demo: Demo) -> list[SkmResponse]:
    async with demo.services.sessions() as s:
        return list(await s.scalars(select(SkmResponse)))


def prompt_of(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return [m for m in messages if m["type"] == "text"][-1]


async def test_issue_then_survey_in_the_chat_then_one_stored_response(demo: Demo) -> None:
    resident = await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    r = await act(demo.client, card["request_id"], "approve")
    assert r.status_code == 200, r.text

    new = await resident.poll()
    kinds = [m["type"] for m in new]
    assert "document" in kinds
    after_letter = new[kinds.index("document") + 1:]
    [question] = after_letter  # one message: the intro heads the first question
    assert "Bantu kami meningkatkan layanan: 6 pertanyaan singkat, boleh dilewati" in question["text"]
    assert "pertanyaan 1 dari 6" in question["text"]
    assert [c["title"] for c in question["choices"]] == ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai",
                                                         "Lewati"]
    async with demo.services.sessions() as s:  # the offer is optional: never a paid WhatsApp template
        payloads = [row.payload for row in await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    offered = [p for p in payloads if "Bantu kami meningkatkan layanan" in p.get("text", "")]
    assert [p.get("optional") for p in offered] == [True]
    assert not any(p.get("optional") for p in payloads if p is not offered[0])

    await resident.choice(question["choices"][3]["value"])  # U1: 4, a button
    for typed in ["3", "4", "4", "3"]:  # U2, U3, U4, U5: numbers typed
        await resident.text(typed)
    last = prompt_of(await resident.choice("u7:4"))  # U7
    assert "ketik saran Anda atau Lewati" in last["text"]
    thanks = await resident.text("Petugasnya ramah, prosesnya cepat.")
    assert "Terima kasih atas penilaian Anda" in prompt_of(thanks)["text"]

    [row] = await responses(demo)
    async with demo.services.sessions() as s:
        kel = await s.scalar(select(Kelurahan).where(Kelurahan.slug == SLUG))
    assert kel is not None
    assert (row.request_id, row.kelurahan_id, row.letter_type) == (card["request_id"], kel.id, "sktm")
    assert [row.u1, row.u2, row.u3, row.u4, row.u5, row.u7] == [4, 3, 4, 4, 3, 4]
    assert (row.u6, row.u8, row.u9) == (None, None, None)  # not asked (see stats.skm)
    assert row.comment == "Petugasnya ramah, prosesnya cepat."

    # Once per request: a second answer (a replayed effect) stores nothing.
    services = demo.services
    async with services.sessions.begin() as s:
        owner = await s.scalar(select(ResidentRow).where(ResidentRow.channel == "web"))
        assert owner is not None
        await services.conversation.execute(s, owner, RecordSurvey(request_id=row.request_id,
                                                                   answers=dict.fromkeys(ASKED, 1)))
    [again] = await responses(demo)
    assert again.u1 == 4

    # After the survey the chat is at rest: a new message starts as usual.
    assert "Selamat datang kembali" in "\n".join(m.get("text", "") for m in await resident.text("halo"))


async def test_a_command_instead_of_an_answer_works_and_the_survey_is_dropped(demo: Demo) -> None:
    resident = await submitted_sktm(demo)
    [card] = (await cards(demo.client))["cards"]
    assert (await act(demo.client, card["request_id"], "approve")).status_code == 200
    assert "pertanyaan 1 dari 6" in prompt_of(await resident.poll())["text"]
    status = await resident.text("status")
    assert any("Surat sudah terbit" in m.get("text", "") or card["code"] in m.get("text", "") for m in status)
    assert not any("pertanyaan" in m.get("text", "") for m in status)
    assert await responses(demo) == []  # nothing answered, nothing stored
