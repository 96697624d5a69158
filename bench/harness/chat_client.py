"""The residents and agents of bench/chat_load.py: asyncio clients over aiohttp (run in the
benchmark's throwaway venv, never Kontakt's), the same for Kontakt and for the relay peer.

Each agent holds one event stream (Kontakt: /live/events/ with its session; the relay:
?agent=N); a work offer of a chat is answered, and every resident message is answered with
one reply. Each resident starts a chat, opens the chat's stream, waits for an agent, then
sends MESSAGES messages GAP seconds apart. Both clients live in this one process, so a
message's latency is taken on one clock: from just before its POST is sent to the moment
the other side's stream delivers it. Prints one JSON object.
"""

import argparse
import asyncio
import json
import random
import string
import sys
import time
from collections import Counter
from typing import Any

import aiohttp

CSRF = "".join(random.choices(string.ascii_letters + string.digits, k=32))


class Tally:
    def __init__(self) -> None:
        self.sent: dict[str, float] = {}  # client id -> when its POST started
        self.to_agent: list[float] = []  # seconds, resident POST -> agent stream
        self.to_resident: list[float] = []  # seconds, agent POST -> resident stream
        self.received: Counter[str] = Counter()  # "side:chat:seq" -> times delivered
        self.errors: Counter[str] = Counter()
        self.posted = Counter[str]()  # "to_agent" / "to_resident": POSTs the server took
        self.failed_residents = 0


async def events(response: aiohttp.ClientResponse):  # type: ignore[no-untyped-def]
    """The server-sent events of a response, as decoded data dicts."""
    data: list[str] = []
    async for raw in response.content:
        line = raw.decode().rstrip("\r\n")
        if not line:
            if data:
                yield json.loads("\n".join(data))
            data = []
        elif line.startswith("data: "):
            data.append(line[6:])


def headers() -> dict[str, str]:
    return {"X-CSRFToken": CSRF, "Accept": "application/json"}


async def agent(
    base: str, mode: str, who: dict[str, Any], tally: Tally, stop: asyncio.Event
) -> None:
    cookies = {"csrftoken": CSRF}
    if mode == "kontakt":
        cookies["sessionid"] = who["session"]
        url = f"{base}/live/events/"
    else:
        url = f"{base}/live/events/?agent={who['id']}"
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        cookies=cookies,
        timeout=aiohttp.ClientTimeout(total=None, sock_read=None),
    ) as session:

        async def reply(chat: int, message: dict[str, Any]) -> None:
            client_id = f"a{message['client_id']}"
            tally.sent[client_id] = time.monotonic()
            form = {"body": f"Svar på {message['client_id']}", "client_id": client_id}
            async with session.post(
                f"{base}/chat/agent/{chat}/messages/", data=form, headers=headers()
            ) as answer:
                if answer.status not in (200, 201):
                    tally.errors[f"agent send {answer.status}"] += 1
                else:
                    tally.posted["to_resident"] += 1

        pending: set[asyncio.Task[None]] = set()  # replies under way (kept from the GC)
        async with session.get(url) as stream:
            async for data in events(stream):
                kind = data.get("type")
                if kind == "work_offer" and data.get("channel") == "chat":
                    chat = int(data["url"].rstrip("/").rsplit("/", 1)[1])
                    async with session.post(
                        f"{base}/chat/agent/{chat}/answer/", headers=headers()
                    ) as answer:
                        if answer.status != 200:
                            tally.errors[f"agent answer {answer.status}"] += 1
                elif kind == "chat_message" and data.get("sender") == "resident":
                    key = f"agent:{data['chat']}:{data['seq']}"
                    tally.received[key] += 1
                    started = tally.sent.get(data.get("client_id", ""))
                    if started is not None and tally.received[key] == 1:
                        tally.to_agent.append(time.monotonic() - started)
                        replying = asyncio.create_task(reply(data["chat"], data))
                        pending.add(replying)
                        replying.add_done_callback(pending.discard)
                if stop.is_set():
                    return


class Barrier:
    """Every resident's chat is answered (or failed) before any sends: then they are all
    going on at once while the messages are measured."""

    def __init__(self, parties: int) -> None:
        self.left = parties
        self.event = asyncio.Event()

    def arrive(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.event.set()


async def resident(
    base: str, number: int, messages: int, gap: float, tally: Tally, barrier: Barrier
) -> None:
    try:
        await _resident(base, number, messages, gap, tally, barrier)
    finally:
        barrier.arrive()  # a failed resident does not hold the others back


async def _resident(
    base: str, number: int, messages: int, gap: float, tally: Tally, barrier: Barrier
) -> None:
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        cookies={"csrftoken": CSRF},
        timeout=aiohttp.ClientTimeout(total=None, sock_read=None),
    ) as session:
        form = {"language": "nb", "body": f"Hei, spørsmål {number}", "client_id": f"r{number}x0"}
        async with session.post(f"{base}/chat/start/", data=form, headers=headers()) as answer:
            if answer.status != 201:
                tally.errors[f"start {answer.status}"] += 1
                return
            chat = await answer.json()
        urls = {name: base + path for name, path in chat["urls"].items()}
        active = asyncio.Event()
        replies = 0
        all_replies = asyncio.Event()

        opened = asyncio.Event()

        async def listen() -> None:
            nonlocal replies
            async with session.get(urls["stream"]) as stream:
                opened.set()
                async for data in events(stream):
                    if data.get("type") == "chat_state" and data.get("state") == "active":
                        active.set()
                    elif data.get("type") == "chat_message" and data.get("sender") == "agent":
                        key = f"resident:{data['chat']}:{data['seq']}"
                        tally.received[key] += 1
                        started = tally.sent.get(data.get("client_id", ""))
                        if started is not None and tally.received[key] == 1:
                            tally.to_resident.append(time.monotonic() - started)
                            replies += 1
                            if replies >= messages:
                                all_replies.set()

        listener = asyncio.create_task(listen())
        # As the widget does: once the stream listens, ask for the state (the agent may have
        # answered before), and now and then while waiting.
        await asyncio.wait_for(opened.wait(), timeout=30)
        waited = 0.0
        while not active.is_set():
            async with session.get(urls["detail"]) as answer:
                if (await answer.json())["state"] == "active":
                    active.set()
                    break
            try:
                await asyncio.wait_for(active.wait(), timeout=2)
            except TimeoutError:
                waited += 2
                if waited > 120:
                    raise
        barrier.arrive()
        await barrier.event.wait()
        # Spread over the first gap, as people type at their own pace.
        await asyncio.sleep(random.uniform(0, gap))

        for n in range(1, messages + 1):
            client_id = f"r{number}x{n}"
            tally.sent[client_id] = time.monotonic()
            form = {"body": f"Melding {n} fra {number}", "client_id": client_id}
            async with session.post(urls["send"], data=form, headers=headers()) as answer:
                if answer.status != 201:
                    tally.errors[f"resident send {answer.status}"] += 1
                else:
                    tally.posted["to_agent"] += 1
            await asyncio.sleep(gap * random.uniform(0.5, 1.5))
        try:
            await asyncio.wait_for(all_replies.wait(), timeout=30)
        except TimeoutError:
            tally.errors["replies missing after 30 s"] += 1
        listener.cancel()


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--mode", choices=["kontakt", "relay"], required=True)
    parser.add_argument("--agents", required=True, help="JSON list of {id, session}")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--gap", type=float, default=2.0)
    parser.add_argument("--ramp", type=float, default=5.0)
    args = parser.parse_args()
    agents = json.loads(args.agents)
    tally = Tally()
    stop = asyncio.Event()
    agent_tasks = [asyncio.create_task(agent(args.base, args.mode, a, tally, stop)) for a in agents]
    await asyncio.sleep(1.0)  # the agents' streams are open
    began = time.monotonic()
    barrier = Barrier(args.residents)
    tasks = []
    for number in range(args.residents):
        tasks.append(
            asyncio.create_task(
                resident(args.base, number, args.messages, args.gap, tally, barrier)
            )
        )
        await asyncio.sleep(args.ramp / max(1, args.residents))
    await barrier.event.wait()
    all_started = time.monotonic() - began
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            tally.errors[f"resident {type(result).__name__}"] += 1
            tally.failed_residents += 1
    seconds = time.monotonic() - began
    await asyncio.sleep(0.5)  # anything late or twice still arrives now
    stop.set()
    for task in agent_tasks:
        task.cancel()
    expected = args.residents * args.messages
    duplicated = sum(n - 1 for n in tally.received.values() if n > 1)
    to_agent = len(tally.to_agent)
    to_resident = len(tally.to_resident)
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    print(
        json.dumps(
            {
                "residents": args.residents,
                "agents": len(agents),
                "messages_per_resident": args.messages,
                "gap_seconds": args.gap,
                "seconds": round(seconds, 1),
                "seconds_until_every_chat_answered": round(all_started, 1),
                "ramp_seconds": args.ramp,
                "resident_to_agent": {
                    "delivered": to_agent,
                    "expected": expected,
                    "p50_ms": ms(percentile(tally.to_agent, 0.5)),
                    "p95_ms": ms(percentile(tally.to_agent, 0.95)),
                    "max_ms": ms(max(tally.to_agent, default=None)),
                },
                "agent_to_resident": {
                    "delivered": to_resident,
                    "expected": expected,
                    "p50_ms": ms(percentile(tally.to_resident, 0.5)),
                    "p95_ms": ms(percentile(tally.to_resident, 0.95)),
                    "max_ms": ms(max(tally.to_resident, default=None)),
                },
                # Messages the server took and the other side's stream never delivered.
                "lost": (tally.posted["to_agent"] - to_agent)
                + (tally.posted["to_resident"] - to_resident),
                "posted": dict(tally.posted),
                "residents_failed": tally.failed_residents,
                "duplicated": duplicated,
                "errors": dict(tally.errors),
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
