// Tick every row on the page from the header checkbox (works after htmx swaps too).
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) return;
  const table = all.closest("table");
  table.querySelectorAll("input[name=ids]").forEach((box) => { box.checked = all.checked; });
});

// The bulk-update bar: shown once a row is ticked (or when it carries errors), with the number ticked and
// only the chosen action's fields; the other actions' fields are disabled, so they are not posted.
// Without JavaScript the bar is always there with every action's fields, and the server ignores the others.
function refreshBulkBar() {
  const bar = document.getElementById("bulk-bar");
  if (!bar) return;
  bar.classList.add("is-enhanced");
  const form = bar.closest("form");
  const ticked = form.querySelectorAll("input[name=ids]:checked").length;
  const all = bar.querySelector("input[name=all]").checked;
  const count = bar.querySelector("[data-bulk-count]");
  let text = count.dataset.none;
  if (all) text = count.dataset.all;
  else if (ticked === 1) text = count.dataset.one;
  else if (ticked > 1) text = count.dataset.many.replace("%(count)s", ticked.toLocaleString(document.documentElement.lang));
  if (count.textContent !== text) count.textContent = text;
  bar.hidden = !(ticked || all || bar.hasAttribute("data-has-errors"));
  const action = bar.querySelector("[data-bulk-action-select]").value;
  bar.querySelectorAll("fieldset[data-bulk-fields]").forEach((fields) => {
    const chosen = fields.dataset.bulkFields === action;
    fields.hidden = !chosen;
    fields.disabled = !chosen;
  });
  const header = form.querySelector("[data-select-all]");
  if (header) {
    const boxes = form.querySelectorAll("table input[name=ids]").length;
    header.checked = boxes > 0 && ticked === boxes;
    header.indeterminate = ticked > 0 && ticked < boxes;
  }
}
document.addEventListener("change", (event) => {
  if (event.target.closest("#bulk-form")) refreshBulkBar();
});
document.addEventListener("htmx:afterSettle", refreshBulkBar);
refreshBulkBar();
