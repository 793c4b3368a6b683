"""The desk's private files (issue #13): a request's attachment and its draft letter are served, never
cached, only to a logged-in staff member of the request's kelurahan; staff of another kelurahan and tampered
ids get 404, never the content; logged-out visitors are sent to the login page."""

from __future__ import annotations

import httpx
import pytest

from db.models import LetterRequest
from tests.desk.conftest import Desk, login
from tests.desk.letters_support import IMAGE, request_of


async def submitted(desk: Desk) -> tuple[LetterRequest, int]:
    """A submitted SKTM of Bukit Tunggal (resident chat 2001) with a KTP photo stored under the uploads folder."""
    return await request_of(desk, "bukit-tunggal", "2001")


def paths(req: LetterRequest, att_id: int) -> list[str]:
    return [f"/desk/permohonan/{req.id}/lampiran/{att_id}", f"/desk/permohonan/{req.id}/draf.pdf"]


async def test_own_staff_get_the_files_uncached(desk: Desk) -> None:
    req, att_id = await submitted(desk)
    _, user = await desk.staff()
    assert (await login(desk.client, user)).status_code == 303
    image = await desk.client.get(f"/desk/permohonan/{req.id}/lampiran/{att_id}")
    assert image.status_code == 200 and image.content == IMAGE
    assert image.headers["content-type"] == "image/jpeg" and "no-store" in image.headers["cache-control"]
    draft = await desk.client.get(f"/desk/permohonan/{req.id}/draf.pdf")
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF")
    assert draft.headers["content-type"] == "application/pdf" and "no-store" in draft.headers["cache-control"]


async def test_other_kelurahan_and_tampered_ids_get_nothing(desk: Desk) -> None:
    req, att_id = await submitted(desk)
    _, user = await desk.staff("menteng", name="Dewi", login="dewi")
    assert (await login(desk.client, user)).status_code == 303
    for path in [*paths(req, att_id), f"/desk/permohonan/{req.id + 999}/draf.pdf", "/desk/permohonan/x/draf.pdf",
                 f"/desk/permohonan/{req.id}/lampiran/{att_id + 999}", f"/desk/permohonan/{req.id}/lampiran/-1",
                 "/desk/permohonan/99999999999999999999999/draf.pdf"]:
        answer = await desk.client.get(path)
        assert answer.status_code == 404, path
        assert IMAGE not in answer.content and not answer.content.startswith(b"%PDF")


@pytest.mark.parametrize("which", [0, 1])
async def test_logged_out_are_sent_to_login(desk: Desk, which: int) -> None:
    req, att_id = await submitted(desk)
    async with desk.other_client() as stranger:
        answer: httpx.Response = await stranger.get(paths(req, att_id)[which])
    assert answer.status_code == 303 and answer.headers["location"] == "/desk/masuk"
    assert IMAGE not in answer.content
