// The operator's console: a transfer that comes back (or is answered) opens the call again
// with its history; ↑/↓ move between the search hits, Enter puts the chosen one through,
// M takes a message for them.
(() => {
  const console_ = document.getElementById("switchboard");
  if (!console_) return;
  const reopen = (event) => { if (event.detail && event.detail.url) window.location.assign(event.detail.url); };
  document.addEventListener("kontakt:transfer_returned", reopen);
  document.addEventListener("kontakt:transfer_answered", reopen);
  document.addEventListener("kontakt:message_not_mine", () => window.location.reload());

  const hits = () => Array.from(document.querySelectorAll("#hits .kt-hit"));
  document.addEventListener("keydown", (event) => {
    const list = hits();
    if (!list.length || event.altKey || event.ctrlKey || event.metaKey) return;
    const current = list.indexOf(document.activeElement.closest ? document.activeElement.closest(".kt-hit") : null);
    const inSearch = document.activeElement && document.activeElement.id === "q";
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const next = event.key === "ArrowDown" ? Math.min(current + 1, list.length - 1) : Math.max(current - 1, 0);
      list[next].focus();
      event.preventDefault();
    } else if (event.key === "Enter" && current >= 0 && !inSearch) {
      const button = list[current].querySelector("[data-transfer]");
      if (button) { button.click(); event.preventDefault(); }
    } else if ((event.key === "m" || event.key === "M") && current >= 0 && !inSearch) {
      const link = list[current].querySelector("[data-message]");
      if (link) { window.location.assign(link.href); event.preventDefault(); }
    }
  });
})();
