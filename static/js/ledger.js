// Expense form: litres and odometer matter for fuel only, so they show only for that category.
// Without JavaScript they stay visible, and the server ignores them for other categories.
document.querySelectorAll("form[data-expense-form]").forEach((form) => {
  const category = form.querySelector("select[name=category]");
  const fuelOnly = form.querySelector("[data-fuel-only]");
  if (!category || !fuelOnly) return;
  const update = () => {
    const isFuel = category.value === "fuel";
    fuelOnly.hidden = !isFuel;
    fuelOnly.disabled = !isFuel;
  };
  category.addEventListener("change", update);
  update();
});

// Expense form: the quantity is in litres (L) or, for an electric vehicle, kWh: its label follows the vehicle.
document.querySelectorAll("form[data-expense-form]").forEach((form) => {
  const vehicle = form.querySelector("select[name=vehicle]");
  const quantity = form.querySelector("input[name=litres]");
  const label = quantity && form.querySelector(`label[for="${quantity.id}"]`);
  if (!vehicle || !label) return;
  const labels = {
    L: form.dataset.quantityLabelL,
    kWh: form.dataset.quantityLabelKwh,
  };
  const update = () => {
    const option = vehicle.options[vehicle.selectedIndex];
    const unit = option ? option.dataset.fuelUnit : undefined;
    label.textContent = labels[unit] || form.dataset.quantityLabelAny;
  };
  vehicle.addEventListener("change", update);
  update();
});
