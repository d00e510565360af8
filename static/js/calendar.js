// Calendar: today's day view opens at the current hour. Links to it end in "#now", which needs no script;
// a phone that came another way (a bookmark, the overview's button) is scrolled there.
(() => {
  const now = document.getElementById("now");
  if (!now || window.location.hash || !window.matchMedia("(max-width: 40rem)").matches) return;
  now.scrollIntoView({ block: "start" });
})();

// The setups below run on the calendar as the page loads, and again each time it changes in place (htmx swaps
// in a new #calendar: see the end of this file).
const calendarSetups = [];

// Week of several vehicles: each vehicle has its own grid; scrolling one sideways scrolls them all,
// so the days stay lined up down the page as if they were one wide table.
calendarSetups.push((root) => {
  const bodies = [...root.querySelectorAll(".cal-compact .cal-body")];
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
});

// Keyboard: each grid is one stop in the Tab order; the arrow keys move between its slots and bookings
// (up/down within a column, left/right to the same time in the next column, Home/End to a column's
// ends). Without this script every slot is an ordinary link in the Tab order.
calendarSetups.push((root) => {
  const rowOf = (element) => Number((element.className.match(/\br-(\d+)/) || [0, 0])[1]);
  for (const body of root.querySelectorAll(".cal-body")) {
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
});

// Week of many vehicles: each free interval is one link, to the booking form at the interval's start (that
// is where a keyboard, or a browser without this script, opens it). A tap or click inside the interval
// opens the form at the half-hour tapped instead, for the usual length, cut at the interval's end; a "+"
// follows the pointer to show which half-hour that is. Each row of an interval is half an hour on the
// clock (bookings.timegrid.free_runs splits intervals where it is not).
calendarSetups.push((root) => {
  const grids = root.querySelectorAll(".cal-dense");
  if (!grids.length) return;
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
});

// A range of free cells in one column, chosen by two taps (a start, then an end) or by a drag: the bar under the
// grid shows the times and books them. One tap chooses one cell, booked for the usual length (as the cell's own
// link would); a second tap on it opens the form. Enter on a focused cell follows its link (the form at that
// time), as does every cell without this script. Dense weeks keep their own tap (one link per free interval).
(() => {
  let anchor = null; // the first cell chosen
  let chosen = []; // the cells of the range, in time order
  let drag = null; // { start, moved } while a pointer is down on a cell
  let dragEnded = -Infinity; // when the last drag ended: the click that follows it chooses nothing more

  const cellOf = (target) => {
    const cell = target && target.closest && target.closest("a.cal-free");
    return cell && !cell.closest(".cal-dense") && cell.dataset.to ? cell : null;
  };
  const linesOf = (cell) => cell.className.match(/\br-(\d+) e-(\d+)/).slice(1).map(Number);
  // The cells from a to b (either order) if they follow each other without a gap in one column, else null.
  const between = (a, b) => {
    const column = a.closest(".cal-col");
    if (column !== b.closest(".cal-col")) return null;
    const cells = [...column.querySelectorAll("a.cal-free")].sort((x, y) => linesOf(x)[0] - linesOf(y)[0]);
    let [from, to] = [cells.indexOf(a), cells.indexOf(b)];
    if (from > to) [from, to] = [to, from];
    const run = cells.slice(from, to + 1);
    for (let i = 1; i < run.length; i += 1) if (linesOf(run[i - 1])[1] !== linesOf(run[i])[0]) return null;
    return run;
  };
  const clock = (iso) => iso.slice(11, 16);
  const bookingUrl = (cells) => {
    const url = new URL(cells[0].href);
    // One cell: its own link (the usual length, cut where the next booking begins); more: up to the last one's end.
    if (cells.length > 1) url.searchParams.set("end", cells[cells.length - 1].dataset.to);
    return url;
  };
  const show = (cells) => {
    for (const cell of chosen) cell.classList.remove("cal-sel");
    chosen = cells;
    const bar = document.getElementById("cal-pick");
    if (!bar) return;
    if (!cells.length) {
      anchor = null;
      bar.hidden = true;
      return;
    }
    for (const cell of cells) cell.classList.add("cal-sel");
    const url = bookingUrl(cells);
    const start = url.searchParams.get("start");
    const end = url.searchParams.get("end");
    const sameDay = end.slice(0, 10) === start.slice(0, 10);
    const place = cells[0].closest(".cal-col").querySelector(".cal-head a").textContent.trim();
    bar.querySelector(".cal-pick-what").textContent = bar.dataset.what
      .replace("%(place)s", place)
      .replace("%(start)s", clock(start))
      .replace("%(end)s", sameDay || clock(end) !== "00:00" ? clock(end) : "24:00");
    bar.querySelector("#cal-pick-book").href = url.toString();
    bar.hidden = false;
  };
  const choose = (cell) => {
    const run = anchor && anchor !== cell ? between(anchor, cell) : null;
    if (run) {
      show(run);
      return;
    }
    anchor = cell;
    show([cell]);
  };

  document.addEventListener("click", (event) => {
    if (event.target.closest("#cal-pick-clear")) {
      show([]);
      return;
    }
    const cell = cellOf(event.target);
    if (!cell || event.detail === 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    if (performance.now() - dragEnded < 400) return;
    if (chosen.length === 1 && chosen[0] === cell) {
      window.location.assign(bookingUrl(chosen).toString()); // a second tap on the one chosen cell books it
      return;
    }
    choose(cell);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && chosen.length) show([]);
  });

  // Dragging: with a mouse or a pen from any free cell; with a finger from a chosen cell (elsewhere a finger
  // scrolls the page).
  document.addEventListener("pointerdown", (event) => {
    const cell = cellOf(event.target);
    if (!cell || event.button !== 0) return;
    if (event.pointerType === "touch" && !cell.classList.contains("cal-sel")) return;
    drag = { start: event.pointerType === "touch" ? anchor || cell : cell, moved: false };
  });
  document.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const over = cellOf(document.elementFromPoint(event.clientX, event.clientY));
    if (!over || (!drag.moved && over === drag.start)) return;
    const run = between(drag.start, over);
    if (!run) return;
    event.preventDefault();
    drag.moved = true;
    anchor = drag.start;
    show(run);
  });
  document.addEventListener("pointerup", () => {
    if (drag && drag.moved) dragEnded = performance.now();
    drag = null;
  });
  document.addEventListener("dragstart", (event) => {
    if (cellOf(event.target)) event.preventDefault(); // a mouse drag chooses a range, it does not carry the link
  });
  document.addEventListener("pointercancel", () => {
    drag = null;
  });
  document.addEventListener("htmx:beforeSwap", () => {
    anchor = null;
    chosen = [];
  });
})();

// Moving between days, weeks and months in place (htmx, the links marked hx-boost): the grids' sideways scroll
// is kept, the calendar says it is busy while the next one loads, and anything but a calendar in the answer
// (an error page, the sign-in page, no network) is opened as a whole page instead.
(() => {
  const calendar = () => document.getElementById("calendar");
  let scrolled = [];
  let focused = -1; // which of the calendar's navigation links had the focus, to give it back after the change
  const navLinks = () => [...document.querySelectorAll("#calendar nav a")];
  document.addEventListener("htmx:beforeRequest", () => calendar()?.setAttribute("aria-busy", "true"));
  document.addEventListener("htmx:afterRequest", () => calendar()?.removeAttribute("aria-busy"));
  document.addEventListener("htmx:beforeSwap", (event) => {
    const answer = event.detail.serverResponse || "";
    if (!event.detail.isError && answer.includes('id="calendar"')) {
      scrolled = [...document.querySelectorAll("#calendar .cal-body")].map((body) => body.scrollLeft);
      focused = navLinks().indexOf(document.activeElement);
      return;
    }
    event.detail.shouldSwap = false;
    window.location.assign(event.detail.pathInfo.requestPath);
  });
  document.addEventListener("htmx:sendError", (event) => {
    window.location.assign(event.detail.pathInfo.requestPath);
  });
  document.addEventListener("htmx:afterSettle", () => {
    const root = calendar();
    if (!root) return;
    for (const setup of calendarSetups) setup(root);
    root.querySelectorAll(".cal-body").forEach((body, index) => {
      if (scrolled[index]) body.scrollLeft = scrolled[index];
    });
    // The focus goes back to the link followed, or else to the heading of the new period.
    const link = focused >= 0 ? navLinks()[focused] : null;
    const heading = root.querySelector(".cal-period");
    if (link) link.focus({ preventScroll: true });
    else if (heading && (!document.activeElement || document.activeElement === document.body)) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    focused = -1;
  });
})();

{
  const root = document.getElementById("calendar");
  if (root) for (const setup of calendarSetups) setup(root);
}
