// Keyboard shortcuts of the desktop: "/" focuses search, Alt+1..4 picks an outcome,
// and choosing a case type shows its routine and suggests its department.
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
  if (event.key === "/" && !typing) {
    const search = document.querySelector("[data-shortcut='/']");
    if (search) { event.preventDefault(); search.focus(); search.select(); }
  }
  if (event.altKey && /^[1-9]$/.test(event.key)) {
    const button = document.querySelector(`.kt-outcomes button[data-key='${event.key}']`);
    if (button) { event.preventDefault(); button.click(); }
  }
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
