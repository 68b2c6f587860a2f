// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const trigger = event.target.closest("[data-confirm]");
  if (trigger && !window.confirm(trigger.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) {
    select.form.requestSubmit();
  }
});
// Phones: tables marked .table-cards are shown as one card per row below the md breakpoint (portal.css);
// each cell is labelled with its column's heading. Without JavaScript the table scrolls sideways.
function labelCardTables(root) {
  root.querySelectorAll("table.table-cards").forEach((table) => {
    if (!table.tHead || !table.tHead.rows.length) return;
    const heads = Array.from(table.tHead.rows[0].cells).map((cell) => cell.textContent.trim());
    Array.from(table.tBodies).forEach((body) => Array.from(body.rows).forEach((row) => {
      Array.from(row.cells).forEach((cell, i) => {
        if (cell.colSpan === 1 && heads[i]) cell.dataset.label = heads[i];
      });
    }));
  });
}
labelCardTables(document);
document.addEventListener("htmx:afterSettle", () => labelCardTables(document));
