"""The peer of bench/chat_load.py: a bare SSE + POST chat relay on aiohttp, the floor of the
transport. It has the same URLs and messages as Kontakt's chat, and nothing else: no
database, no sign-in, no routing engine (a new chat goes to the agent with the fewest),
messages numbered per chat and stored once per client id, in memory, one process.

    python chat_relay.py PORT AGENTS
"""

import asyncio
import itertools
import json
import sys
from collections import defaultdict
from typing import Any

from aiohttp import web


class Relay:
    def __init__(self, agents: int) -> None:
        self.subscribers: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self.load = dict.fromkeys(range(agents), 0)
        self.chats: dict[int, dict[str, Any]] = {}
        self.ids = itertools.count(1)
        self.event_ids = itertools.count(1)

    def publish(self, topic: str, data: dict[str, Any]) -> None:
        frame = f"id: {next(self.event_ids)}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        for queue in self.subscribers[topic]:
            queue.put_nowait(frame)

    def post(self, chat: dict[str, Any], sender: str, body: str, client_id: str) -> dict:
        if client_id and (sender, client_id) in chat["by_client"]:
            return chat["by_client"][(sender, client_id)]
        chat["seq"] += 1
        message = {"type": "chat_message", "chat": chat["id"], "seq": chat["seq"],
                   "sender": sender, "body": body, "client_id": client_id}  # fmt: skip
        chat["by_client"][(sender, client_id)] = message
        self.publish(f"chat:{chat['id']}", message)
        self.publish(f"agent:{chat['agent']}", message)
        return message


async def stream(request: web.Request, topic: str) -> web.StreamResponse:
    relay: Relay = request.app["relay"]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    queue: asyncio.Queue[str] = asyncio.Queue()
    relay.subscribers[topic].add(queue)
    try:
        await response.write(b"retry: 2000\n\n")
        while True:
            try:
                frame = await asyncio.wait_for(queue.get(), timeout=15)
            except TimeoutError:
                frame = ": heartbeat\n\n"
            await response.write(frame.encode())
    finally:
        relay.subscribers[topic].discard(queue)


async def start(request: web.Request) -> web.Response:
    relay: Relay = request.app["relay"]
    form = await request.post()
    pk = next(relay.ids)
    agent = min(relay.load, key=relay.load.__getitem__)
    relay.load[agent] += 1
    chat = {"id": pk, "agent": agent, "seq": 0, "state": "waiting", "by_client": {}}
    relay.chats[pk] = chat
    relay.post(chat, "resident", str(form.get("body", "")), str(form.get("client_id", "")))
    relay.publish(f"agent:{agent}", {"type": "work_offer", "channel": "chat",
                                     "url": f"/chat/agent/{pk}/"})  # fmt: skip
    urls = {name: f"/chat/{pk}/{path}" for name, path in
            [("detail", ""), ("stream", "stream/"), ("send", "messages/")]}  # fmt: skip
    return web.json_response({"id": pk, "state": "waiting", "urls": urls}, status=201)


async def detail(request: web.Request) -> web.Response:
    chat = request.app["relay"].chats[int(request.match_info["chat"])]
    return web.json_response({"state": chat["state"]})


async def resident_stream(request: web.Request) -> web.StreamResponse:
    return await stream(request, f"chat:{int(request.match_info['chat'])}")


async def agent_stream(request: web.Request) -> web.StreamResponse:
    return await stream(request, f"agent:{int(request.query['agent'])}")


async def send(request: web.Request, sender: str) -> web.Response:
    relay: Relay = request.app["relay"]
    chat = relay.chats[int(request.match_info["chat"])]
    form = await request.post()
    message = relay.post(chat, sender, str(form["body"]), str(form.get("client_id", "")))
    return web.json_response(message, status=201)


async def resident_send(request: web.Request) -> web.Response:
    return await send(request, "resident")


async def agent_send(request: web.Request) -> web.Response:
    return await send(request, "agent")


async def answer(request: web.Request) -> web.Response:
    relay: Relay = request.app["relay"]
    chat = relay.chats[int(request.match_info["chat"])]
    chat["state"] = "active"
    relay.publish(f"chat:{chat['id']}", {"type": "chat_state", "chat": chat["id"],
                                         "state": "active"})  # fmt: skip
    return web.Response(text="<section></section>", content_type="text/html")


def app(agents: int) -> web.Application:
    application = web.Application()
    application["relay"] = Relay(agents)
    application.add_routes(
        [
            web.post("/chat/start/", start),
            web.get("/chat/{chat:\\d+}/", detail),
            web.get("/chat/{chat:\\d+}/stream/", resident_stream),
            web.post("/chat/{chat:\\d+}/messages/", resident_send),
            web.get("/live/events/", agent_stream),
            web.post("/chat/agent/{chat:\\d+}/answer/", answer),
            web.post("/chat/agent/{chat:\\d+}/messages/", agent_send),
            web.get("/ready", lambda request: web.Response(text="ok")),
        ]
    )
    return application


if __name__ == "__main__":
    web.run_app(app(int(sys.argv[2])), host="127.0.0.1", port=int(sys.argv[1]), print=None)
