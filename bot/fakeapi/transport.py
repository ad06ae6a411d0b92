"""HTTP for the fake Bot API: a threaded server on 127.0.0.1 reading calls as PTB and others send them.

It serves any `Endpoint` (the `FakeBotAPI`): Bot API calls at ``/bot<token>/<method>``, test-driving
actions at ``/_control/<action>``."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from contextlib import suppress
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


class Endpoint(Protocol):
    """What the HTTP server serves: Bot API calls and control actions, each answered (status, JSON body)."""

    def call(self, token: str, method: str, params: dict) -> tuple[int, dict | bytes]: ...

    def control(self, verb: str, action: str, query: str, body: bytes) -> tuple[int, dict]: ...


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_JSON_PARAMS = _names(
    "reply_markup entities caption_entities results commands scope menu_button allowed_updates "
    "reply_parameters link_preview_options button input_message_content media message_ids"
)
_INT_PARAMS = _names(
    "chat_id from_chat_id message_id user_id offset limit timeout cache_time reply_to_message_id "
    "max_connections message_thread_id"
)
_BOOL_PARAMS = _names(
    "disable_notification protect_content show_alert is_personal drop_pending_updates "
    "allow_sending_without_reply disable_web_page_preview only_if_banned"
)


def decode_params(content_type: str, body: bytes, query: str = "") -> dict:
    """Bot API parameters from a query string, a JSON body, a urlencoded form or multipart form data."""
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body:
        params.update(json.loads(body))
        return params
    if kind == "application/x-www-form-urlencoded":
        params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()})
    elif kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name and part.get_filename() is not None:
                params[name] = f"upload:{part.get_filename()}"  # an uploaded file: its name stands for it
            elif name:
                params[name] = (
                    part.get_content() if part.get_content_maintype() == "text" else part.get_payload()
                )
    return {name: _coerce(name, value) for name, value in params.items()}


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value.lower() == "true"
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type, endpoint: Endpoint):
        self.endpoint = endpoint
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._track = threading.Lock()
        super().__init__(address, handler)

    def handle_error(self, request, client_address) -> None:
        """A client that vanished mid-request (killed, timed out) is normal here; anything else is shown."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def process_request(self, request, client_address) -> None:  # type: ignore[override]
        with self._track:
            self._connections.add(request)
        thread = threading.Thread(
            target=self._serve, args=(request, client_address), name="fake-bot-api-connection", daemon=True
        )
        with self._track:
            self._handlers.add(thread)
        thread.start()

    def _serve(self, request, client_address) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._track:
                self._connections.discard(request)
                self._handlers.discard(threading.current_thread())

    def close_connections(self) -> None:
        with self._track:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._track:
            threads = list(self._handlers)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each response waits ~40 ms for a delayed ACK
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # no access log: URLs carry the token
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        endpoint = self.server.endpoint
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:  # the client went away mid-request (killed): nothing arrived
            self.close_connection = True
            return
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", parts.path)
        try:
            if parts.path.startswith("/_control/"):
                action = parts.path[len("/_control/") :]
                status, payload = endpoint.control(self.command, action, parts.query, body)
            elif match is None:
                status, payload = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            else:
                params = decode_params(self.headers.get("Content-Type", ""), body, parts.query)
                status, payload = endpoint.call(match.group(1), match.group(2), params)
        except (ValueError, KeyError, LookupError) as exc:
            status, payload = 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True
