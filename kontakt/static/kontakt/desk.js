// Keyboard shortcuts of the desktop: "/" focuses search, Alt+1..4 picks an outcome,
// and choosing a case type shows its routine and suggests its department.
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
  if (event.key === "/" && !typing) {
    const search = document.querySelector("[data-shortcut='/']");
    if (search) { event.preventDefault(); search.focus(); search.select(); }
  }
  // AltGr is Ctrl+Alt on Windows: AltGr+2 types "@" on a Swedish keyboard and must not log.
  if (event.altKey && !event.ctrlKey && !event.metaKey && /^[1-9]$/.test(event.key)) {
    const button = document.querySelector(`.kt-outcomes button[data-key='${event.key}']`);
    if (button) { event.preventDefault(); if (!event.repeat) button.click(); }
  }
  // Enter in a field of the contact form would submit it with its first button, "closed at
  // first contact"; an outcome is only ever chosen on purpose.
  if (event.key === "Enter" && event.target.matches?.("#contact-form input")) event.preventDefault();
});

// A second press while the first is on its way would log the contact twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method !== "post") return;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted) document.querySelectorAll("form[data-sent]").forEach((form) => delete form.dataset.sent);
});

document.addEventListener("input", (event) => {
  if (event.target.id !== "id_case_type") return;
  const option = [...document.querySelectorAll("#case-types option")].find((o) => o.value === event.target.value);
  const routine = document.getElementById("routine");
  if (routine) routine.textContent = option ? option.dataset.routine : "";
  const department = document.getElementById("id_department");
  if (option && department && !department.dataset.touched) department.value = option.dataset.department;
});

document.addEventListener("change", (event) => {
  if (event.target.id === "id_department") event.target.dataset.touched = "1";
  // A choice that takes effect at once, such as the language (no inline handlers: see CSP).
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.submit();
});

// The knowledge-base panel: Alt+K searches, ↑/↓ choose a hit, Enter or Alt+U uses it. Using
// an article puts its title and address into the contact's summary and remembers it with the
// contact, so the article is counted as the answer given.
function kbHits() { return [...document.querySelectorAll("#kb-results .kt-kb-hit")]; }
function kbCurrent() { return document.querySelector("#kb-results .kt-kb-hit[aria-current='true']") || kbHits()[0]; }
function kbSelect(hit) {
  kbHits().forEach((other) => other.removeAttribute("aria-current"));
  if (hit) { hit.setAttribute("aria-current", "true"); hit.scrollIntoView({ block: "nearest" }); }
}
function kbUse(hit) {
  const form = document.getElementById("contact-form");
  if (!hit || !form) return;
  const id = hit.dataset.articleId;
  const used = document.getElementById("kb-used");
  if (!used.querySelector(`[data-used='${id}']`)) {
    const chip = document.createElement("span");
    chip.className = "kt-chip";
    chip.dataset.used = id;
    const input = document.createElement("input");
    input.type = "hidden"; input.name = "articles"; input.value = id;
    chip.append(input, document.createTextNode(hit.dataset.title));
    used.append(chip);
    const summary = document.getElementById("id_summary");
    if (summary) {
      const line = `${hit.dataset.title}: ${hit.dataset.url}`;
      summary.value = summary.value.trim() ? `${summary.value.trim()}\n${line}` : line;
    }
  }
  const button = hit.querySelector("[data-use-article]");
  if (button) button.dataset.used = "1";
}
document.addEventListener("click", (event) => {
  const button = event.target.closest?.("[data-use-article]");
  if (button) kbUse(button.closest(".kt-kb-hit"));
});
document.addEventListener("keydown", (event) => {
  const plainAlt = event.altKey && !event.ctrlKey && !event.metaKey;
  if (plainAlt && event.key.toLowerCase() === "k") {
    const box = document.getElementById("kb-q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  }
  if (plainAlt && event.key.toLowerCase() === "u" && kbHits().length) {
    event.preventDefault(); kbUse(kbCurrent());
  }
  if (event.target.id !== "kb-q") return;
  const hits = kbHits(), index = hits.indexOf(kbCurrent());
  if (event.key === "ArrowDown" && hits.length) { event.preventDefault(); kbSelect(hits[Math.min(index + 1, hits.length - 1)]); }
  if (event.key === "ArrowUp" && hits.length) { event.preventDefault(); kbSelect(hits[Math.max(index - 1, 0)]); }
  if (event.key === "Enter") { event.preventDefault(); if (hits.length) kbUse(kbCurrent()); }
});
// Choosing a case type asks the knowledge base for its articles when the box is empty.
document.addEventListener("change", (event) => {
  if (event.target.id !== "id_case_type" || !event.target.value) return;
  const box = document.getElementById("kb-q");
  if (box && !box.value.trim()) { box.value = event.target.value; htmx.trigger("#kb-form", "kb-search"); }
});
// The last search that found nothing goes with the contact into the department's gap list.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target?.id !== "kb-results" && !document.getElementById("kb-results")?.contains(event.detail.target)) return;
  const gap = document.getElementById("kb-gap"), box = document.getElementById("kb-q");
  if (gap && box) gap.value = document.getElementById("kb-nothing") ? box.value.trim() : "";
});
