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
