// The simulated call, step by step on the diagram. Without JavaScript the whole path shows at once (numbered).
(() => {
  const controls = document.querySelector("[data-step-controls]");
  const svg = document.querySelector(".flow-svg");
  if (!controls || !svg) return;
  const order = [];
  svg.querySelectorAll(".flow-node[data-visit]").forEach((node) => {
    node.dataset.visit.split(",").forEach((n) => { order[Number(n.trim())] = node.dataset.step; });
  });
  const keys = order.filter(Boolean);
  if (keys.length < 2) return;
  const taken = [...svg.querySelectorAll(".flow-edge--taken")];
  let current = keys.length;
  const status = controls.querySelector("[data-step-status]");
  const template = status.dataset.template || "";
  function show(step) {
    current = Math.max(1, Math.min(keys.length, step));
    const seen = new Set(keys.slice(0, current));
    svg.querySelectorAll(".flow-node").forEach((node) => {
      node.classList.toggle("flow-node--visited", seen.has(node.dataset.step));
      node.classList.toggle("flow-node--current", node.dataset.step === keys[current - 1]);
    });
    const pairs = new Set(keys.slice(0, current).map((k, i) => (i ? `${keys[i - 1]}>${k}` : "")));
    taken.forEach((edge) => edge.classList.toggle("flow-edge--taken", pairs.has(edge.dataset.edge)));
    const name = svg.querySelector(`.flow-node[data-step="${CSS.escape(keys[current - 1])}"] title`);
    status.textContent = `${current} / ${keys.length}: ${name ? name.textContent : ""}`;
  }
  controls.hidden = false;
  controls.querySelector("[data-step-prev]").addEventListener("click", () => show(current - 1));
  controls.querySelector("[data-step-next]").addEventListener("click", () => show(current + 1));
  show(1);
})();
