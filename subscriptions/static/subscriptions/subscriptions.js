// Tick every row on the page from the header checkbox (works after htmx swaps too).
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) return;
  const table = all.closest("table");
  table.querySelectorAll("input[name=ids]").forEach((box) => { box.checked = all.checked; });
});
