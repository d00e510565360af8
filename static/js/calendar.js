// Calendar: today's day view opens at the current hour. Links to it end in "#now", which needs no script;
// a phone that came another way (a bookmark, the overview's button) is scrolled there.
(() => {
  const now = document.getElementById("now");
  if (!now || window.location.hash || !window.matchMedia("(max-width: 40rem)").matches) return;
  now.scrollIntoView({ block: "start" });
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

// Keyboard: each grid is one stop in the Tab order; the arrow keys move between its slots and bookings
// (up/down within a column, left/right to the same time in the next column, Home/End to a column's
// ends). Without this script every slot is an ordinary link in the Tab order.
(() => {
  const rowOf = (element) => Number((element.className.match(/\br-(\d+)/) || [0, 0])[1]);
  for (const body of document.querySelectorAll(".cal-body")) {
    const columns = [...body.querySelectorAll(".cal-col")]
      .map((column) =>
        [...column.querySelectorAll("a.cal-free, a.cal-block")].sort((a, b) => rowOf(a) - rowOf(b)),
      )
      .filter((items) => items.length);
    if (!columns.length) continue;
    const items = columns.flat();
    let current = items[0];
    for (const item of items) item.tabIndex = item === current ? 0 : -1;
    const moveTo = (target) => {
      if (!target) return;
      current.tabIndex = -1;
      target.tabIndex = 0;
      current = target;
      target.focus();
    };
    body.addEventListener("focusin", (event) => {
      if (items.includes(event.target) && event.target !== current) {
        current.tabIndex = -1;
        event.target.tabIndex = 0;
        current = event.target;
      }
    });
    body.addEventListener("keydown", (event) => {
      const col = columns.findIndex((column) => column.includes(event.target));
      if (col < 0) return;
      const column = columns[col];
      const index = column.indexOf(event.target);
      const sameTimeIn = (other) => {
        if (!other) return null;
        const row = rowOf(event.target);
        return other.reduce((best, item) =>
          Math.abs(rowOf(item) - row) < Math.abs(rowOf(best) - row) ? item : best,
        );
      };
      const targets = {
        ArrowDown: () => column[index + 1],
        ArrowUp: () => column[index - 1],
        ArrowRight: () => sameTimeIn(columns[col + 1]),
        ArrowLeft: () => sameTimeIn(columns[col - 1]),
        Home: () => column[0],
        End: () => column[column.length - 1],
      };
      if (!(event.key in targets)) return;
      event.preventDefault();
      moveTo(targets[event.key]());
    });
  }
})();

// Week of many vehicles: each free interval is one link, to the booking form at the interval's start (that
// is where a keyboard, or a browser without this script, opens it). A tap or click inside the interval
// opens the form at the half-hour tapped instead, for the usual length, cut at the interval's end; a "+"
// follows the pointer to show which half-hour that is. Each row of an interval is half an hour on the
// clock (bookings.timegrid.free_runs splits intervals where it is not).
(() => {
  const root = document.querySelector(".calendar[data-booking-minutes]");
  const grids = document.querySelectorAll(".cal-dense");
  if (!root || !grids.length) return;
  const length = Number(root.dataset.bookingMinutes) || 60;
  const rowsOf = (link) => {
    const match = link.className.match(/\br-(\d+) e-(\d+)/);
    return match ? Number(match[2]) - Number(match[1]) : 1;
  };
  const rowAt = (link, clientY) => {
    const box = link.getBoundingClientRect();
    const rows = rowsOf(link);
    return Math.min(rows - 1, Math.max(0, Math.floor(((clientY - box.top) / box.height) * rows)));
  };
  // "2026-12-07T07:00" plus some minutes, on the clock (computed in UTC so the browser's zone plays no part).
  const later = (local, minutes) => {
    const [day, time] = local.split("T");
    const [year, month, date] = day.split("-").map(Number);
    const [hour, minute] = time.split(":").map(Number);
    return new Date(Date.UTC(year, month - 1, date, hour, minute + minutes)).toISOString().slice(0, 16);
  };
  const intervalStart = new WeakMap();
  for (const grid of grids) {
    grid.addEventListener("click", (event) => {
      const link = event.target.closest("a.cal-free");
      if (!link || event.detail === 0) return; // Enter on a focused interval: its start
      const url = new URL(link.href);
      if (!intervalStart.has(link)) intervalStart.set(link, url.searchParams.get("start"));
      const first = intervalStart.get(link);
      const start = later(first, rowAt(link, event.clientY) * 30);
      const intervalEnd = later(first, rowsOf(link) * 30);
      const end = later(start, length);
      url.searchParams.set("start", start);
      url.searchParams.set("end", end < intervalEnd ? end : intervalEnd);
      link.href = url.toString();
    });
    grid.addEventListener("pointermove", (event) => {
      const link = event.target.closest("a.cal-free");
      if (link) link.style.setProperty("--at", rowAt(link, event.clientY));
    });
  }
})();
