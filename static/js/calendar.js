// Calendar: on a phone, a calendar opened without a chosen view shows one day instead of a week.
// The Day / Week / Month links work without this script.
(() => {
  const root = document.querySelector(".calendar[data-default-view]");
  if (!root || !window.matchMedia("(max-width: 40rem)").matches) return;
  const url = new URL(window.location.href);
  if (url.searchParams.has("view")) return;
  url.searchParams.set("view", root.dataset.defaultView);
  window.location.replace(url.toString());
})();
