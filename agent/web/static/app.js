// report-agent web pages: a little plain JavaScript (no build step, nothing fetched from elsewhere).
"use strict";

// Sortable tables: click a header of table.sortable.
function sortBy(th) {
  const table = th.closest("table");
  const body = table.tBodies[0];
  const index = Array.from(th.parentNode.children).indexOf(th);
  const ascending = th.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const key = (row) => {
    const cell = row.children[index];
    const raw = cell ? (cell.dataset.sort ?? cell.textContent.trim()) : "";
    const n = Number(raw);
    return raw !== "" && !Number.isNaN(n) ? n : raw;
  };
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = key(a), y = key(b);
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
    return ascending ? c : -c;
  });
  rows.forEach((r) => body.appendChild(r));
}

// A highlighted cell: click (or Enter) scrolls to its first finding and flashes it.
function showFinding(cell) {
  const keys = (cell.dataset.findings || "").split(" ").filter(Boolean);
  keys.forEach((k, i) => {
    const item = document.getElementById("f-" + k);
    if (!item) return;
    if (i === 0) item.scrollIntoView({ behavior: "smooth", block: "center" });
    item.classList.add("flash");
    setTimeout(() => item.classList.remove("flash"), 2000);
  });
}

// Progress of a background job: poll its status, reload when it is finished.
function pollJob(box) {
  const url = box.dataset.status;
  const tick = () => {
    fetch(url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((s) => {
        const stage = box.querySelector(".stage");
        if (stage) stage.textContent = s.stage + (s.total ? `（${s.done}/${s.total}）` : "") + `，已用 ${s.seconds} 秒`;
        const bar = box.querySelector(".bar > div");
        if (bar && s.total) bar.style.width = `${Math.round((100 * s.done) / s.total)}%`;
        const parts = box.querySelector("ol.parts");
        if (parts && s.parts && s.parts.length) {
          parts.replaceChildren(...s.parts.map((p) => {
            const li = document.createElement("li");
            li.className = "state-" + p.state;
            li.textContent = `${p.title}：${p.label}` + (p.detail ? `（${p.detail}）` : "");
            return li;
          }));
        }
        if (s.state !== "running") window.location.reload();
        else setTimeout(tick, 400);
      })
      .catch(() => setTimeout(tick, 1000));
  };
  tick();
}

// Citations: a key opens the passage it names.
function openCitation(button) {
  const dialog = document.getElementById(button.dataset.dialog);
  if (dialog && typeof dialog.showModal === "function") dialog.showModal();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable th").forEach((th) => th.addEventListener("click", () => sortBy(th)));
  document.querySelectorAll("td[data-findings]").forEach((td) => {
    td.addEventListener("click", () => showFinding(td));
    td.addEventListener("keydown", (e) => { if (e.key === "Enter") showFinding(td); });
  });
  document.querySelectorAll("[data-status]").forEach(pollJob);
  document.querySelectorAll("button.cite").forEach((b) => b.addEventListener("click", () => openCitation(b)));
  document.querySelectorAll("dialog button.close").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));
});
