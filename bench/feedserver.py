"""A loopback feed server for benchmarks: N feeds x M entries over 127.0.0.1-127.0.0.10.

Every response waits `--latency` seconds first (like a distant server). Feeds carry an
ETag and answer If-None-Match with 304, so warm runs are measurable. HTTP/1.1 keep-alive.
Prints the port on stdout once listening; stops on SIGTERM or after --lifetime seconds.

    python bench/feedserver.py --feeds 100 --entries 50 --latency 0.15
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

HOSTS = [f"127.0.0.{i}" for i in range(1, 11)]
BASE = datetime(2025, 12, 19, 12, 0, tzinfo=UTC)
WORDS = ("court release prisoner campaign law reform rights defenders protest freedom "
         "justice appeal verdict government report journalists activists letter").split()


def feed_body(index: int, entries: int) -> bytes:
    items = []
    for j in range(entries):
        when = BASE - timedelta(hours=j * 7 + index % 5)
        words = " ".join(WORDS[(index + j + k) % len(WORDS)] for k in range(40))
        items.append(
            f"<item><title>Feed {index} story {j}: {WORDS[j % len(WORDS)]} news</title>"
            f"<link>https://news{index}.example/{j}</link>"
            f'<guid isPermaLink="false">feed{index}-entry{j}</guid>'
            f"<pubDate>{format_datetime(when)}</pubDate>"
            f"<category>{WORDS[(index * j) % len(WORDS)]}</category>"
            f"<description><![CDATA[<p>{words.capitalize()}.</p><p><a href=\"/more/{j}\">"
            f"More</a> <img src=\"https://cdn.example/{index}/{j}.jpg\" width=\"600\" "
            f"height=\"400\" alt=\"\"></p>]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>https://news{index}.example/</link>"
        f"<description>Benchmark feed {index}</description>{''.join(items)}</channel></rss>"
    ).encode()


class Server:
    def __init__(self, feeds: int, entries: int, latency: float) -> None:
        self.latency = latency
        self.bodies = {f"/feed/{i}.xml": feed_body(i, entries) for i in range(feeds)}
        self.etags = {p: '"' + hashlib.sha1(b).hexdigest()[:16] + '"'
                      for p, b in self.bodies.items()}
        self.requests = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                self.requests += 1
                await asyncio.sleep(self.latency)
                body = self.bodies.get(path)
                if body is None:
                    status, payload, extra = "404 Not Found", b"not found", ""
                elif headers.get("if-none-match") == self.etags[path]:
                    status, payload, extra = "304 Not Modified", b"", f"ETag: {self.etags[path]}\r\n"
                else:
                    status, payload = "200 OK", body
                    extra = f"ETag: {self.etags[path]}\r\nContent-Type: application/rss+xml\r\n"
                writer.write(f"HTTP/1.1 {status}\r\n{extra}Content-Length: {len(payload)}\r\n"
                             "\r\n".encode() + payload)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--lifetime", type=float, default=3600)
    args = parser.parse_args()
    server = Server(args.feeds, args.entries, args.latency)
    first = await asyncio.start_server(server.handle, HOSTS[0], 0, backlog=1024)
    port = first.sockets[0].getsockname()[1]
    others = [await asyncio.start_server(server.handle, host, port, backlog=1024)
              for host in HOSTS[1:]]
    print(port, flush=True)
    try:
        await asyncio.sleep(args.lifetime)
    finally:
        for s in (first, *others):
            s.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
