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

// "Use my position": the phone's position fills the form's hidden latitude and longitude; nobody types them.
document.querySelectorAll("[data-position]").forEach((box) => {
  const form = box.closest("form");
  const latitude = form.querySelector('input[name="latitude"]');
  const longitude = form.querySelector('input[name="longitude"]');
  const status = box.querySelector("[data-position-status]");
  const use = box.querySelector("[data-position-use]");
  const clear = box.querySelector("[data-position-clear]");
  if (!latitude || !longitude || !status || !use || !clear) return;
  const say = (key) => { status.textContent = status.dataset[key]; };
  if (!("geolocation" in navigator)) { use.hidden = true; return; }
  use.addEventListener("click", () => {
    say("locating");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        clear.hidden = false;
        say("saved");
      },
      () => say("failed"),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 },
    );
  });
  clear.addEventListener("click", () => {
    latitude.value = "";
    longitude.value = "";
    clear.hidden = true;
    say("cleared");
    use.focus();
  });
});
