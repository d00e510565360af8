// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("select[data-autosubmit]") && target.value) {
    target.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  navigator.clipboard.writeText(field.value).then(() => {
    const original = button.textContent;
    button.textContent = button.dataset.copied || original;
    setTimeout(() => { button.textContent = original; }, 2000);
  });
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
