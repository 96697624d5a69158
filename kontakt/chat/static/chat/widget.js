// The residents' chat widget (kontakt/chat/templates/chat/_widget.html): the button opens a
// panel that offers the chat (or the web form when the center is closed or the wait too
// long), starts it, shows the place in the queue, then the conversation. Messages arrive
// by server-sent events and are sent by POST; each has its number (seq), so nothing shows
// twice and a reconnect loads what was missed. The chat survives moving between pages
// (sessionStorage keeps its address; the cookie keeps it this browser's).
(() => {
  const root = document.getElementById("kt-chat");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const panel = $("kt-chat-panel");
  const openButton = $("kt-chat-open");
  const log = $("kt-chat-log");
  const statusLine = $("kt-chat-status");
  const KEY = "kontakt-chat";
  const text = root.dataset;
  const seen = new Set();
  let chat = null; // {id, urls, state, language}
  let source = null;
  let lastEventId = "";
  let lastSeq = 0;
  let poller = null;

  const csrf = () => document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ""));
  const newId = () =>
    (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9_-]/g, "");

  async function post(url, data) {
    const response = await fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf() },
    });
    const body = await response.json().catch(() => ({}));
    return { status: response.status, body };
  }

  function show(id) {
    for (const part of ["kt-chat-loading", "kt-chat-form-offer", "kt-chat-start", "kt-chat-talk"]) {
      $(part).hidden = part !== id;
    }
  }

  function setOpen(open) {
    panel.hidden = !open;
    openButton.setAttribute("aria-expanded", String(open));
    if (open) {
      $("kt-chat-heading").focus();
      if (!chat) loadStatus();
    } else {
      openButton.focus();
    }
  }

  function crisis(message) {
    $("kt-chat-crisis").hidden = !message;
    $("kt-chat-crisis-text").textContent = message || "";
  }

  function waitText(seconds) {
    if (seconds === null || seconds === undefined) return "";
    if (seconds < 60) return text.waitNow;
    return fill(text.waitMinutes, { minutes: Math.round(seconds / 60) });
  }

  async function loadStatus() {
    show("kt-chat-loading");
    const response = await fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" } });
    const status = await response.json();
    offer(status);
  }

  function offer(status) {
    crisis(status.crisis_message);
    if (status.available) {
      $("kt-chat-start-wait").textContent = waitText(status.estimated_wait_seconds);
      show("kt-chat-start");
      return;
    }
    $("kt-chat-offer-closed").hidden = status.reason === "wait";
    $("kt-chat-offer-wait").hidden = status.reason !== "wait";
    show("kt-chat-form-offer");
  }

  function fieldError(name, messages) {
    const box = $(`kt-chat-${name}-error`);
    if (!box) return false;
    box.hidden = !messages;
    box.textContent = messages ? messages.join(" ") : "";
    const input = name === "language" ? null : $(name === "body" ? "kt-chat-first" : `kt-chat-${name}`);
    if (input) {
      if (messages) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    return true;
  }

  $("kt-chat-start").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const data = new FormData(form);
    data.set("client_id", newId());
    data.set("page", window.location.pathname);
    for (const name of ["language", "body", "email"]) fieldError(name, null);
    $("kt-chat-start-error").hidden = true;
    const { status, body } = await post(root.dataset.startUrl, data);
    if (status === 201) {
      begin(body);
      $("kt-chat-body").focus();
      return;
    }
    if (status === 409) { offer(body); return; }
    const errors = body.errors || {};
    let first = null;
    for (const [name, messages] of Object.entries(errors)) {
      if (!fieldError(name, messages)) {
        $("kt-chat-start-error").hidden = false;
        $("kt-chat-start-error").textContent = messages.join(" ");
      }
      first = first || name;
    }
    if (!Object.keys(errors).length) {
      $("kt-chat-start-error").hidden = false;
      $("kt-chat-start-error").textContent = body.error || text.failed;
    }
    if (first === "language") form.querySelector("input[name=language]").focus();
    else if (first === "body") $("kt-chat-first").focus();
    else if (first === "email") $("kt-chat-email").focus();
  });

  function addMessage(message) {
    if (seen.has(message.seq)) return;
    seen.add(message.seq);
    lastSeq = Math.max(lastSeq, message.seq);
    const item = document.createElement("p");
    item.className = `kt-chat-line kt-chat-${message.sender}`;
    item.dataset.seq = message.seq;
    if (message.sender !== "system") {
      const who = document.createElement("span");
      who.className = "kt-chat-who";
      who.textContent = message.sender === "resident" ? text.you : (chat.agent || text.agent);
      item.append(who, " ");
    }
    const body = document.createElement("span");
    body.className = "kt-chat-text";
    body.lang = chat.language;
    body.textContent = message.body;
    item.append(body);
    // Messages arrive in order almost always; one that overtook another is put in place.
    const after = [...log.children].find((line) => Number(line.dataset.seq) > message.seq);
    log.insertBefore(item, after || null);
    log.scrollTop = log.scrollHeight;
  }

  function showState(data) {
    chat.state = data.state;
    if (data.agent) chat.agent = data.agent;
    if (data.state === "waiting") {
      const parts = [];
      if (data.position) parts.push(fill(text.position, { position: data.position }));
      parts.push(waitText(data.estimated_wait_seconds));
      statusLine.textContent = parts.filter(Boolean).join(" ");
    } else if (data.state === "active") {
      statusLine.textContent = fill(text.joined, { name: chat.agent || text.agent });
    } else {
      finish(data.state === "abandoned" ? text.left : text.ended);
    }
  }

  function begin(data) {
    chat = { id: data.id, urls: data.urls, state: data.state, language: data.language, agent: data.agent };
    sessionStorage.setItem(KEY, JSON.stringify({ id: data.id, urls: data.urls, language: data.language }));
    show("kt-chat-talk");
    for (const message of data.messages) addMessage(message);
    showState(data);
    connect();
    clearInterval(poller);
    // While waiting, the place in the queue moves without a message: ask now and then.
    poller = setInterval(() => { if (chat && chat.state === "waiting") refresh(); }, 15000);
  }

  async function refresh() {
    if (!chat) return;
    const response = await fetch(`${chat.urls.detail}?after=${lastSeq}`, { headers: { Accept: "application/json" } });
    if (response.status === 404) { forget(); return; }
    const data = await response.json();
    for (const message of data.messages) addMessage(message);
    showState(data);
  }

  function connect() {
    if (source) source.close();
    const resume = lastEventId ? `?last_event_id=${encodeURIComponent(lastEventId)}` : "";
    source = new EventSource(chat.urls.stream + resume);
    // Once the stream listens, load what came before it (on a reconnect: what the resume
    // window did not replay); the numbers keep anything from showing twice.
    source.addEventListener("open", refresh);
    source.addEventListener("message", (event) => {
      lastEventId = event.lastEventId || lastEventId;
      const data = JSON.parse(event.data);
      if (data.type === "chat_message") addMessage(data);
      else if (data.type === "chat_state") showState(data);
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED && chat && ["waiting", "active"].includes(chat.state)) {
        setTimeout(() => { if (chat) { connect(); refresh(); } }, 3000);
      }
    });
  }

  function finish(message) {
    statusLine.textContent = message;
    if (source) source.close();
    source = null;
    clearInterval(poller);
    sessionStorage.removeItem(KEY);
    $("kt-chat-send").hidden = true;
  }

  function forget() {
    finish("");
    chat = null;
    log.replaceChildren();
    seen.clear();
    lastSeq = 0;
    $("kt-chat-send").hidden = false;
    loadStatus();
  }

  async function send(body, clientId, tries = 2) {
    const data = new FormData();
    data.set("body", body);
    data.set("client_id", clientId);
    try {
      const { status, body: answer } = await post(chat.urls.send, data);
      if (status === 200 || status === 201) { addMessage(answer); return true; }
      const errors = answer.errors ? Object.values(answer.errors).flat().join(" ") : answer.error;
      $("kt-chat-send-error").textContent = errors || text.failed;
    } catch (error) {
      // A lost answer: the same client id again is stored once.
      if (tries > 1) return send(body, clientId, tries - 1);
      $("kt-chat-send-error").textContent = text.failed;
    }
    $("kt-chat-send-error").hidden = false;
    return false;
  }

  $("kt-chat-send").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("kt-chat-body");
    const body = box.value.trim();
    if (!body || !chat) return;
    $("kt-chat-send-error").hidden = true;
    if (await send(body, newId())) box.value = "";
    box.focus();
  });
  $("kt-chat-body").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("kt-chat-send").requestSubmit();
    }
  });
  $("kt-chat-leave").addEventListener("click", async () => {
    if (!chat || !window.confirm(text.confirmLeave)) return;
    const { body } = await post(chat.urls.leave, new FormData());
    finish(text.left);
    if (body.state) chat.state = body.state;
    statusLine.focus?.();
  });

  openButton.addEventListener("click", () => setOpen(panel.hidden));
  $("kt-chat-close").addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false);
  });

  root.hidden = false;
  // A chat started on another page of the site goes on here.
  const kept = sessionStorage.getItem(KEY);
  if (kept) {
    try {
      const stored = JSON.parse(kept);
      chat = { id: stored.id, urls: stored.urls, state: "waiting", language: stored.language, agent: "" };
      panel.hidden = false;
      openButton.setAttribute("aria-expanded", "true");
      fetch(stored.urls.detail, { headers: { Accept: "application/json" } }).then(async (response) => {
        if (!response.ok) { chat = null; sessionStorage.removeItem(KEY); loadStatus(); return; }
        begin(await response.json());
      });
    } catch (error) {
      sessionStorage.removeItem(KEY);
    }
  }
})();
