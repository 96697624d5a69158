// Live updates: each message from the server becomes a DOM event on document, so a page
// needs to know nothing of the connection:
//   document.addEventListener("kontakt:screen_pop", (event) => show(event.detail));
// The name is "kontakt:" + the message's "type" ("kontakt:message" without one). After a
// reconnect "kontakt:reconnected" fires: what was missed in a short gap is replayed, but a
// page whose state matters should load it again. <html data-live="open|closed"> tells
// whether it is connected, for CSS such as html[data-live="closed"] .kt-offline { … }.
(() => {
  function start() {
    const url =
      document.body.dataset.liveUrl ||
      document.querySelector("meta[name='kontakt-live-url']")?.content ||
      "/live/events/";
    let lastId = "";
    let delay = 2000;
    let opened = false;

    const status = (value) => { document.documentElement.dataset.live = value; };
    const emit = (type, detail) => document.dispatchEvent(new CustomEvent(`kontakt:${type}`, { detail }));

    function connect() {
      // A new EventSource does not send Last-Event-ID; the query carries it, so the server
      // replays what came while we were away.
      const resume = lastId ? `${url.includes("?") ? "&" : "?"}last_event_id=${encodeURIComponent(lastId)}` : "";
      const source = new EventSource(url + resume);
      source.addEventListener("open", () => {
        status("open");
        delay = 2000;
        if (opened) emit("reconnected", {});
        opened = true;
      });
      // The type travels in the data, not as the SSE event name: EventSource can only listen
      // for names it is told in advance, and pages should not have to list them.
      source.addEventListener("message", (event) => {
        lastId = event.lastEventId || lastId;
        const data = JSON.parse(event.data);
        emit(data.type || "message", data);
      });
      source.addEventListener("error", () => {
        status("closed");
        // A dropped connection is retried by EventSource itself, but an HTTP error (a proxy's
        // 502 during a deploy, the login page after the session ended) closes it for good:
        // start a new one, waiting longer each time.
        if (source.readyState === EventSource.CLOSED) {
          setTimeout(connect, delay);
          delay = Math.min(delay * 2, 60000);
        }
      });
    }

    status("closed");
    connect();
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
