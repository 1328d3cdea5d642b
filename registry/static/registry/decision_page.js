// The decision page (templates/admin/registry/decision/page.html):
// - suggests the next number, the place and the last signer once the authority (and date)
//   are chosen; what the clerk typed is never overwritten;
// - one recipient search box per line, served by one listener and one result list for the
//   whole table (no widget per line): type a few letters, with or without diacritics;
// - "Thêm dòng khen thưởng" adds an empty line.
"use strict";
window.addEventListener("load", function () {
  const form = document.getElementById("decision_form");
  if (!form) return;

  // --- header: number, place, signer --------------------------------------------------
  const $ = window.django && window.django.jQuery;
  const authority = document.getElementById("id_authority");
  const date = document.getElementById("id_signed_date");
  const suggested = {};
  const fields = ["number", "place", "signer_prefix", "signer_title", "signer_name"];
  function suggest() {
    if (!authority || !authority.value) return;
    const params = new URLSearchParams({ authority: authority.value, date: date ? date.value : "" });
    fetch(form.dataset.defaultsUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then((response) => response.json())
      .then((data) => {
        if (data.award_types) offerTypes(data.award_types);
        fields.forEach(function (name) {
          const input = document.getElementById("id_" + name);
          if (!input || data[name] === undefined) return;
          if (!input.value || input.value === suggested[name]) {
            input.value = suggested[name] = data[name];
          }
        });
      });
  }
  // The award types the authority may give on the date, in every line's list (and the empty
  // line's template); a type chosen before stays, marked, so that the service can say why.
  function offerTypes(types) {
    const template = document.getElementById("line-template");
    const selects = Array.from(document.querySelectorAll("select.dp-type"));
    if (template) selects.push(...template.content.querySelectorAll("select.dp-type"));
    const allowed = new Set(types.map((t) => t[0]));
    selects.forEach(function (select) {
      const chosen = select.value;
      const kept = chosen && !allowed.has(chosen) ? select.selectedOptions[0].textContent : null;
      select.innerHTML = "";
      select.appendChild(new Option("—", ""));
      types.forEach((t) => select.appendChild(new Option(t[1], t[0], false, t[0] === chosen)));
      if (kept !== null) {
        const label = kept.includes("(cấp này không được tặng)")
          ? kept
          : kept + " (cấp này không được tặng)";
        select.appendChild(new Option(label, chosen, false, true));
      }
    });
  }
  if (authority) {
    if ($) $(authority).on("change", suggest);
    authority.addEventListener("change", suggest);
  }
  if (date) date.addEventListener("change", suggest);

  // --- lines: recipient search ---------------------------------------------------------
  const table = document.getElementById("award-lines");
  if (!table) return;
  const results = document.createElement("ul");
  results.className = "dp-results";
  results.hidden = true;
  results.setAttribute("role", "listbox");
  document.body.appendChild(results);
  let current = null; // the text box being searched
  let timer = null;
  let active = -1;

  function cellOf(input) {
    return input.closest(".dp-who");
  }
  function close() {
    results.hidden = true;
    results.innerHTML = "";
    active = -1;
  }
  function place(input) {
    const box = input.getBoundingClientRect();
    results.style.left = window.scrollX + box.left + "px";
    results.style.top = window.scrollY + box.bottom + "px";
    results.style.width = Math.max(box.width, 320) + "px";
  }
  function choose(item) {
    if (!current || !item || !item.dataset.id) return;
    const cell = cellOf(current);
    cell.querySelector(".dp-recipient-id").value = item.dataset.id;
    current.value = item.textContent;
    close();
  }
  function show(items) {
    results.innerHTML = "";
    active = -1;
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "Không tìm thấy. Hãy gõ tên khác, hoặc thêm người, tập thể vào sổ trước.";
      results.appendChild(li);
    }
    items.forEach(function (item) {
      const li = document.createElement("li");
      li.dataset.id = item.id;
      li.textContent = item.text;
      li.setAttribute("role", "option");
      results.appendChild(li);
    });
    place(current);
    results.hidden = false;
  }
  function search(input) {
    const cell = cellOf(input);
    const kind = cell.querySelector(".dp-kind").value;
    const q = input.value.trim();
    if (q.length < 2) return close();
    const params = new URLSearchParams({ kind: kind, q: q });
    fetch(table.dataset.searchUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then((response) => response.json())
      .then((data) => {
        if (current === input && input.value.trim() === q) show(data.results || []);
      });
  }
  table.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.classList.contains("dp-recipient")) return;
    current = input;
    cellOf(input).querySelector(".dp-recipient-id").value = "";
    clearTimeout(timer);
    timer = setTimeout(function () {
      search(input);
    }, 200);
  });
  table.addEventListener("change", function (event) {
    if (!event.target.classList.contains("dp-kind")) return;
    const cell = cellOf(event.target);
    cell.querySelector(".dp-recipient-id").value = "";
    cell.querySelector(".dp-recipient").value = "";
  });
  table.addEventListener("keydown", function (event) {
    if (!event.target.classList.contains("dp-recipient") || results.hidden) return;
    const items = results.querySelectorAll("li[data-id]");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!items.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach((li, i) => li.classList.toggle("active", i === active));
    } else if (event.key === "Enter") {
      event.preventDefault();
      choose(items[active >= 0 ? active : 0]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  results.addEventListener("mousedown", function (event) {
    event.preventDefault(); // keep the focus in the text box
    choose(event.target.closest("li"));
  });
  table.addEventListener("focusout", function (event) {
    if (event.target === current) setTimeout(close, 150);
  });

  // --- lines: add one --------------------------------------------------------------------
  const add = document.getElementById("add-line");
  const template = document.getElementById("line-template");
  const total = form.querySelector("input[name$='-TOTAL_FORMS']");
  if (add && template && total) {
    add.addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      table.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const rows = table.querySelectorAll("tbody.dp-line");
      const box = rows[rows.length - 1].querySelector(".dp-recipient");
      if (box) box.focus();
    });
  }
});

// The scanned paper: the browser's own file box speaks its own language; show the name here.
window.addEventListener("load", function () {
  const input = document.querySelector(".dp-file-input");
  const name = document.getElementById("scan-name");
  if (!input || !name) return;
  input.addEventListener("change", function () {
    name.textContent = input.files.length ? input.files[0].name : "";
  });
});
