// The agent's chats on the desktop (kontakt/chat/templates/chat/_panel.html): a chat the
// router hands over ("kontakt:work_offer" of channel chat) is answered and gets its panel;
// messages arrive as "kontakt:chat_message" (from live.js) and are sent by POST; Enter
// sends, Shift+Enter makes a new line; "End chat" logs the contact and removes the panel.
(() => {
  const box = () => document.getElementById("chats");
  const csrf = () => document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
  const panelOf = (id) => document.querySelector(`.kt-chat-desk[data-chat="${id}"]`);
  const newId = () =>
    (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9_-]/g, "");

  function request(url, data) {
    return fetch(url, {
      method: "POST",
      body: data || new FormData(),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), Accept: data ? "application/json" : "text/html" },
    });
  }

  function place(html, old) {
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const panel = holder.querySelector(".kt-chat-desk");
    if (!panel) return null;
    if (old) old.replaceWith(panel);
    else box()?.append(panel);
    const log = panel.querySelector(".kt-chat-log");
    log.scrollTop = log.scrollHeight;
    return panel;
  }

  async function answer(url, old, tries = 3) {
    const response = await request(url).catch(() => null);
    if (response && response.ok) return place(await response.text(), old);
    // A hiccup of the server: try again shortly (a 404 means the chat is gone: leave it).
    if (tries > 1 && (!response || response.status >= 500)) {
      await new Promise((resolve) => { setTimeout(resolve, 1000); });
      return answer(url, old, tries - 1);
    }
    return null;
  }

  async function reload(panel) {
    const response = await fetch(panel.dataset.panelUrl, { credentials: "same-origin" });
    if (response.status === 404) { panel.remove(); return; }
    if (response.ok) place(await response.text(), panel);
  }

  function addLine(panel, message) {
    const log = panel.querySelector(".kt-chat-log");
    if (log.querySelector(`[data-seq="${message.seq}"]`)) return;
    const item = document.createElement("p");
    item.className = `kt-chat-line kt-chat-${message.sender}`;
    item.dataset.seq = message.seq;
    if (message.sender !== "system") {
      const who = document.createElement("span");
      who.className = "kt-chat-who";
      who.textContent = message.sender === "agent" ? panel.dataset.you : panel.dataset.resident;
      item.append(who, " ");
    }
    const text = document.createElement("span");
    text.className = "kt-chat-text";
    text.textContent = message.body;
    item.append(text);
    const after = [...log.children].find((line) => Number(line.dataset.seq) > message.seq);
    log.insertBefore(item, after || null);
    log.scrollTop = log.scrollHeight;
  }

  document.addEventListener("kontakt:work_offer", async (event) => {
    const work = event.detail;
    if (work.channel !== "chat" || !box() || !work.url) return;
    const match = new URL(work.url, window.location.href).pathname.match(/\/chat\/agent\/(\d+)\/$/);
    if (!match || panelOf(match[1])) return;
    await answer(`/chat/agent/${match[1]}/answer/`, null);
  });
  document.addEventListener("kontakt:chat_message", (event) => {
    const panel = panelOf(event.detail.chat);
    if (panel) addLine(panel, event.detail);
  });
  document.addEventListener("kontakt:chat_state", (event) => {
    const panel = panelOf(event.detail.chat);
    if (!panel) return;
    panel.dataset.state = event.detail.state;
    panel.querySelector("[data-left]").hidden = !event.detail.resident_left;
    if (event.detail.state === "ended" || event.detail.state === "abandoned") panel.remove();
  });
  document.addEventListener("kontakt:reconnected", () => {
    document.querySelectorAll(".kt-chat-desk").forEach(reload);
  });

  document.addEventListener("keydown", (event) => {
    const area = event.target;
    if (!(area instanceof HTMLTextAreaElement) || !area.closest(".kt-chat-reply")) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      area.form.requestSubmit();
    }
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    const panel = form.closest(".kt-chat-desk");
    if (!panel) return;
    event.preventDefault();
    const data = new FormData(form);
    if (form.classList.contains("kt-chat-reply")) {
      const area = form.querySelector("textarea");
      if (!area.value.trim()) return;
      data.set("client_id", newId());
      const response = await request(form.action, data);
      const body = await response.json().catch(() => ({}));
      const error = form.querySelector(".ds-validation-message");
      error.hidden = response.ok;
      if (response.ok) { addLine(panel, body); area.value = ""; }
      else error.textContent = Object.values(body.errors || {}).flat().join(" ");
      area.focus();
      return;
    }
    // The end form.
    const response = await request(form.action, data);
    const body = await response.json().catch(() => ({}));
    form.querySelectorAll("[data-error-for]").forEach((p) => { p.hidden = true; p.textContent = ""; });
    if (response.ok) {
      const next = panel.nextElementSibling || panel.previousElementSibling;
      panel.remove();
      (next?.querySelector("textarea") || document.getElementById("q"))?.focus();
      return;
    }
    let first = null;
    for (const [name, messages] of Object.entries(body.errors || {})) {
      const key = name === "__all__" ? null : `chat${panel.dataset.chat}-${name}`;
      const target = key && form.querySelector(`[data-error-for="${key}"]`);
      const shown = target || form.querySelector("[data-error-for]");
      shown.hidden = false;
      shown.textContent = `${shown.textContent} ${messages.join(" ")}`.trim();
      first = first || (key && form.elements[key]);
    }
    first?.focus();
  });

  // Chats handed over while this page was away: answer them now.
  document.querySelectorAll('.kt-chat-desk[data-state="waiting"]').forEach((panel) =>
    answer(panel.dataset.answerUrl, panel),
  );
})();
