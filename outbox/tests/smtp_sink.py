"""A tiny real SMTP server for the fault tests, run as its own process.

    python outbox/tests/smtp_sink.py PORT LOG MODE

MODE: "accept" (250 for everything), "reject" (550 to every recipient), or "stall" (take the whole
message, record it as received, then never answer: a server that accepted while the client died).
Every message the server received is appended to LOG as one JSON line with its Message-ID.
"""

import asyncio
import json
import sys
from email.parser import BytesHeaderParser


async def serve(port: int, log_path: str, mode: str) -> None:
    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        reply("220 sink ESMTP")
        await writer.drain()
        recipients: list[str] = []
        while line := await reader.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                reply("250 2.1.0 OK")
            elif verb == "RCPT":
                if mode == "reject":
                    reply("550 5.1.1 No such mailbox")
                else:
                    recipients.append(command.split(":", 1)[1].strip(" <>"))
                    reply("250 2.1.5 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                await writer.drain()
                data = b""
                while (chunk := await reader.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                headers = BytesHeaderParser().parsebytes(data)
                with open(log_path, "a") as log:
                    log.write(json.dumps({"message_id": headers["Message-ID"], "to": recipients}) + "\n")
                if mode == "stall":
                    await asyncio.sleep(3600)
                reply("250 2.0.0 Queued")
            elif verb == "RSET":
                reply("250 OK")
            elif verb == "NOOP":
                reply("250 OK")
            elif verb == "QUIT":
                reply("221 Bye")
                await writer.drain()
                break
            else:
                reply("502 5.5.2 Not implemented")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
