"""A loopback TCP proxy (asyncio) in front of a server, PostgreSQL in the tests, that can make the server
unreachable on command: `refuse()` stops listening (new connections get ECONNREFUSED, as from a stopped
server), `kill()` resets every open connection (as a crashed server or a broken network does), `accept()`
listens again on the same port.

    async with TcpProxy("127.0.0.1", 5432) as proxy:
        url = proxy.url_for("postgresql+asyncpg://postgres@127.0.0.1:5432/test")   # through the proxy
        await proxy.refuse(); proxy.kill()      # the database is gone
        await proxy.accept()                    # and back
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from sqlalchemy.engine import make_url

CHUNK = 64 * 1024


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host, self.target_port = target_host, target_port
        self.port = 0
        self.accepted = 0  # connections accepted so far (all time)
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def open_connections(self) -> int:
        return len(self._pairs)

    @property
    def listening(self) -> bool:
        return self._server is not None

    def url_for(self, database_url: str) -> str:
        """`database_url` with its host and port replaced by the proxy's."""
        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    async def accept(self) -> None:
        """Listen (again) on the proxy's port: new connections are forwarded to the target."""
        if self._server is not None:
            return
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._serve, sock=sock)

    async def refuse(self) -> None:
        """Stop listening: new connections are refused; open ones stay (see `kill`)."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    def kill(self) -> int:
        """Reset every open connection, both to the client and to the target; the number killed."""
        pairs, self._pairs = list(self._pairs), set()
        for client, upstream in pairs:
            for writer in (client, upstream):
                writer.transport.abort()
        return len(pairs)

    async def start(self) -> TcpProxy:
        await self.accept()
        return self

    async def stop(self) -> None:
        await self.refuse()
        self.kill()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> TcpProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)
        pumps = [asyncio.create_task(self._pump(reader, up_writer)), asyncio.create_task(self._pump(up_reader, writer))]
        self._tasks.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._pairs.discard(pair)
            for w in pair:
                w.transport.abort()
            for task in pumps:
                task.cancel()
                self._tasks.discard(task)

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(CHUNK):
                writer.write(data)
                await writer.drain()
