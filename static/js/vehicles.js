// Availability formset: "Add a window" appends a fresh row; the page works without it (save gives a new row).
document.querySelectorAll("form[data-formset]").forEach((form) => {
  const prefix = form.dataset.formset;
  const total = form.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const rows = form.querySelector("[data-formset-rows]");
  const template = form.querySelector("template[data-formset-template]");
  const add = form.querySelector("[data-formset-add]");
  if (!total || !rows || !template || !add) return;
  add.hidden = false;
  add.addEventListener("click", () => {
    const index = Number(total.value);
    const fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("[name], [id], [for]").forEach((element) => {
      for (const attribute of ["name", "id", "for"]) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replaceAll("__prefix__", String(index)));
      }
    });
    rows.appendChild(fragment);
    total.value = String(index + 1);
    const firstField = rows.lastElementChild.querySelector("select, input");
    if (firstField) firstField.focus();
  });
});
