// The live parts of a staff page: the agent's own state (with the wrap-up countdown), the
// screen-pop when a call is answered, and the crisis banner. Messages arrive from live.js
// as "kontakt:<type>" events; the page works without them, only less promptly.
(() => {
  const presence = () => document.getElementById("presence");

  function showPresence(state) {
    const box = presence();
    if (!box || !state || !state.state) return;
    box.dataset.state = state.state;
    box.dataset.until = state.until || "";
    document.getElementById("presence-label").textContent = state.label || state.state;
    document.getElementById("presence-reason").textContent = state.reason || "";
    tick();
  }

  // Wrap-up and ringing end by themselves: count down, then ask for the state once.
  let asked = false;
  function tick() {
    const box = presence();
    if (!box) return;
    const timer = document.getElementById("presence-timer");
    const until = box.dataset.until ? Date.parse(box.dataset.until) : NaN;
    if (Number.isNaN(until)) { timer.textContent = ""; asked = false; return; }
    const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    timer.textContent = `${left} s`;
    if (left === 0 && !asked) { asked = true; refresh(); }
    if (left > 0) asked = false;
  }
  setInterval(tick, 1000);

  async function refresh() {
    const box = presence();
    if (!box) return;
    const wasWrapUp = box.dataset.state === "wrap_up";
    const response = await fetch(box.dataset.stateUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const state = await response.json();
    showPresence(state);
    // The wrap-up ended: say so, which also hands this agent a waiting callback or chat.
    if (wasWrapUp && state.state === "ready") {
      const form = document.getElementById("presence-form");
      const data = new FormData(form);
      data.set("state", "ready");
      const confirmed = await fetch(form.action, {
        method: "POST", body: data, headers: { Accept: "application/json" },
      });
      if (confirmed.ok) showPresence(await confirmed.json());
    }
  }

  // Setting the state must not reload the desktop: a half-written contact would be lost.
  document.addEventListener("submit", async (event) => {
    if (event.target.id !== "presence-form") return;
    event.preventDefault();
    const form = event.target;
    const data = new FormData(form);
    data.set("state", event.submitter ? event.submitter.value : "ready");
    const response = await fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    const error = document.getElementById("presence-error");
    error.hidden = response.ok;
    error.textContent = response.ok ? "" : (body.errors || []).join(" ");
    showPresence(body);
  });

  document.addEventListener("kontakt:presence", (event) => showPresence(event.detail));

  // A call answered: open the caller on the desktop, unless a contact is being written;
  // then offer it instead of throwing the text away.
  document.addEventListener("kontakt:screen_pop", (event) => {
    const pop = event.detail;
    const summary = document.querySelector("#contact-form textarea");
    if (summary && summary.value.trim()) {
      const notice = document.getElementById("screen-pop") || document.createElement("div");
      notice.id = "screen-pop";
      notice.className = "ds-alert";
      notice.dataset.color = "info";
      notice.setAttribute("role", "alert");
      notice.replaceChildren();
      const link = document.createElement("a");
      link.className = "ds-link";
      link.href = pop.url;
      link.textContent = `${pop.caller || "?"} · ${pop.resident ? pop.resident.name : pop.answer_group}`;
      notice.append(`${presence()?.dataset.popLabel || "☎"} `, link);
      document.getElementById("main").prepend(notice);
      return;
    }
    window.location.assign(pop.url);
  });

  document.addEventListener("kontakt:crisis", (event) => {
    const crisis = event.detail;
    const banner = document.getElementById("crisis-banner");
    if (!banner) return;
    banner.hidden = !crisis.on;
    document.getElementById("crisis-text").textContent = crisis.message || "";
    const article = document.getElementById("crisis-article");
    article.hidden = !crisis.article;
    if (crisis.article) { article.href = crisis.article.url; article.textContent = crisis.article.title; }
  });

  // A callback, chat or e-mail handed to this agent: list it with its link and a Done button.
  document.addEventListener("kontakt:work_offer", (event) => {
    const work = event.detail;
    const box = document.getElementById("work");
    if (!box || document.querySelector(`[data-work="${work.id}"]`)) return;
    const item = document.createElement("li");
    item.className = "kt-work-item";
    item.dataset.work = work.id;
    const tag = document.createElement("span");
    tag.className = "ds-tag";
    tag.dataset.color = "info";
    tag.textContent = work.label || work.channel;
    const link = document.createElement("a");
    link.className = "ds-link";
    link.href = work.url || "#";
    link.textContent = work.subject || work.id;
    if (!work.here) { link.target = "_blank"; link.rel = "noopener"; }
    const done = document.createElement("button");
    done.className = "ds-button";
    done.dataset.size = "sm";
    done.dataset.variant = "tertiary";
    done.type = "button";
    done.textContent = box.dataset.doneLabel;
    done.addEventListener("click", async () => {
      const token = document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
      const response = await fetch(work.done_url, {
        method: "POST", headers: { Accept: "application/json", "X-CSRFToken": token },
      });
      if (response.ok) item.remove();
    });
    item.append(tag, " ", link, " ", done);
    document.getElementById("work-list").append(item);
    box.querySelector(".kt-work-heading").hidden = false;
  });
  document.addEventListener("kontakt:work_done", (event) => {
    document.querySelector(`[data-work="${event.detail.id}"]`)?.remove();
  });

  // After a reconnect the state may have moved on while no message could arrive.
  document.addEventListener("kontakt:reconnected", refresh);
  tick();
})();
