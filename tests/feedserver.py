"""A real RSS feed over loopback HTTP, for the feed tests (unit/test_feeds.py, e2e/test_notify.py)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ITEM = """<item>
  <title>{title}</title>
  <link>https://dpnsee.org/{slug}/</link>
  <guid isPermaLink="false">https://dpnsee.org/?p={guid}</guid>
  <pubDate>Wed, 17 May 2023 10:00:00 +0000</pubDate>
  <category><![CDATA[Harm Reduction]]></category>
  <category><![CDATA[CND]]></category>
  <description><![CDATA[<p>Short summary of {title}.</p>]]></description>
  <content:encoded><![CDATA[<p>{body}</p><p>See <a href="https://unodc.org/x">the report</a>.</p>
    <img src="x.png"/>]]></content:encoded>
</item>"""


def rss(items, language="en-US"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>DPNSEE</title><link>https://dpnsee.org</link><language>{language}</language>
{"".join(items)}
</channel></rss>""".encode()


class FeedServer:
    """Serves `self.body` with an ETag; answers 304 to a matching If-None-Match; records each request
    (status, etag) before answering it."""

    def __init__(self):
        self.body = rss([])
        self.requests: list[tuple[int, str | None]] = []
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                etag = f'"{hash(feed.body) & 0xFFFFFFFF:x}"'
                if self.path != "/feed":
                    feed.requests.append((404, None))
                    self.send_response(404)
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == etag:
                    feed.requests.append((304, etag))
                    self.send_response(304)
                    self.end_headers()
                    return
                feed.requests.append((200, etag))
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Wed, 17 May 2023 10:00:00 GMT")
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/feed"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
