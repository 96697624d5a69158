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
});
