// Opens the part of a destination that fits its type, and closes the others.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.name.endsWith("-type")) return;
  const fieldset = select.closest("[data-testid=destination]");
  if (!fieldset) return;
  const kind = ["ring_group", "ivr", "time_condition"].includes(select.value) ? select.value : "other";
  fieldset.querySelectorAll("details[data-kind]").forEach((details) => {
    details.open = details.dataset.kind === kind;
  });
});

// "Add" buttons: a new row from the formset's empty form (Django's __prefix__ convention).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-form]");
  if (!button) return;
  const prefix = button.dataset.addForm;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById(`${prefix}-empty`);
  const index = Number(total.value);
  const html = template.innerHTML.replaceAll("__prefix__", String(index));
  document.getElementById(`${prefix}-forms`).insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
});

// The "go to" suggestions follow the destinations as they are typed, not only the saved ones.
function refreshDestinationKeys() {
  const list = document.getElementById("destination-keys");
  if (!list) return;
  list.replaceChildren();
  document.querySelectorAll("[data-testid=destination] input[name$='-key']").forEach((input) => {
    const key = input.value.trim();
    if (!key) return;
    const nameInput = input.form.elements.namedItem(input.name.replace(/-key$/, "-name"));
    const option = document.createElement("option");
    option.value = key;
    option.textContent = (nameInput && nameInput.value.trim()) || key;
    list.appendChild(option);
  });
}
document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLInputElement && /-(key|name)$/.test(event.target.name)) {
    refreshDestinationKeys();
  }
});
