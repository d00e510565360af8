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

// After a form comes back with errors, take keyboard and screen-reader users to the first problem:
// the first invalid field, or else the list of errors that belong to no single field.
(() => {
  const field = document.querySelector('main [aria-invalid="true"]');
  if (field) {
    field.focus();
    return;
  }
  const summary = document.querySelector("main .errorlist.nonfield");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();
