// The designer, enhanced: ring-group members reorder in the page (drag, or the arrow buttons) instead of a
// round-trip; after htmx swaps the form in, the field the server names gets the keyboard. Without JavaScript
// every button is a plain submit and the server does the same.
(() => {
  const say = (text) => {
    const live = document.getElementById("designer-announce");
    if (live) live.textContent = text;
  };

  function renumber(list) {
    const items = [...list.querySelectorAll("[data-member]")];
    items.forEach((item, i) => {
      const up = item.querySelector("[data-move=up]");
      const down = item.querySelector("[data-move=down]");
      if (up) up.disabled = i === 0;
      if (down) down.disabled = i === items.length - 1;
      item.querySelectorAll("button[name=action]").forEach((button) => {
        button.value = button.value.replace(/:\d+$/, `:${i}`);
      });
    });
    return items;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move]");
    if (!button) return;
    const item = button.closest("[data-member]");
    const list = item && item.closest("[data-member-list]");
    if (!list) return;
    event.preventDefault();
    const sibling = button.dataset.move === "up" ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) return;
    if (button.dataset.move === "up") sibling.before(item);
    else sibling.after(item);
    const items = renumber(list);
    const place = items.indexOf(item) + 1;
    const target = button.disabled ? item.querySelector(`[data-move=${button.dataset.move === "up" ? "down" : "up"}]`) : button;
    target.focus();
    const name = item.querySelector("[data-member-name]").textContent;
    say(`${name}: ${place} / ${items.length}`);
  });

  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    dragged = event.target.closest && event.target.closest("[data-member]");
    if (!dragged) return;
    dragged.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "member");
  });
  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const over = event.target.closest && event.target.closest("[data-member]");
    if (!over || over === dragged || over.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    const box = over.getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) over.before(dragged);
    else over.after(dragged);
  });
  document.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("is-dragging");
    const items = renumber(dragged.parentElement);
    say(`${dragged.querySelector("[data-member-name]").textContent}: ${items.indexOf(dragged) + 1} / ${items.length}`);
    dragged = null;
  });

  function focusNamed() {
    const form = document.querySelector("[data-testid=designer]");
    const id = form && form.dataset.focus;
    const target = id && document.getElementById(id);
    if (target) target.focus();
  }
  document.addEventListener("htmx:afterSettle", focusNamed);
  focusNamed();
})();
