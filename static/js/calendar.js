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

// Week of several vehicles: each vehicle has its own grid; scrolling one sideways scrolls them all,
// so the days stay lined up down the page as if they were one wide table.
(() => {
  const bodies = [...document.querySelectorAll(".cal-compact .cal-body")];
  if (bodies.length < 2) return;
  let syncing = false;
  for (const body of bodies) {
    body.addEventListener(
      "scroll",
      () => {
        if (syncing) return;
        syncing = true;
        for (const other of bodies) if (other !== body) other.scrollLeft = body.scrollLeft;
        window.requestAnimationFrame(() => {
          syncing = false;
        });
      },
      { passive: true },
    );
  }
})();
