// Booking form: the estimated cost follows the vehicle and times as they are chosen. The server renders it
// (bookings/estimate_views.py); without this script, "See the estimated cost" submits the form to show it.
(() => {
  const region = document.getElementById("estimate");
  const form = region && region.closest("form");
  if (!form) return;
  let asked = 0;
  const update = async () => {
    const query = new URLSearchParams();
    for (const name of ["vehicle", "starts_at", "ends_at"]) {
      const field = form.elements.namedItem(name);
      if (field) query.set(name, field.value);
    }
    const ticket = ++asked;
    try {
      const response = await fetch(`${region.dataset.estimateUrl}?${query}`, { credentials: "same-origin" });
      if (response.ok && ticket === asked) region.innerHTML = await response.text();
    } catch {
      // Offline or a network error: the estimate stays as it was; "Book" still works.
    }
  };
  form.addEventListener("change", (event) => {
    if (["vehicle", "starts_at", "ends_at"].includes(event.target.name)) update();
  });
})();
