// Suggests the next free decision number once the authority (and date) are chosen; a number
// the clerk has typed is never overwritten.
"use strict";
window.addEventListener("load", function () {
  const $ = window.django && window.django.jQuery;
  const number = document.getElementById("id_number");
  const date = document.getElementById("id_signed_date");
  if (!$ || !number || !document.getElementById("id_authority")) return;
  let suggested = "";
  function suggest() {
    const authority = $("#id_authority").val();
    if (!authority || (number.value && number.value !== suggested)) return;
    const params = new URLSearchParams({ authority: authority, date: date ? date.value : "" });
    const base = window.location.pathname.replace(/(add|\d+\/change)\/?$/, "next-number/");
    fetch(base + "?" + params.toString(), { credentials: "same-origin" })
      .then((response) => response.json())
      .then((data) => {
        if (data.number && (!number.value || number.value === suggested)) {
          number.value = suggested = data.number;
        }
      });
  }
  $("#id_authority").on("change", suggest);
  if (date) date.addEventListener("change", suggest);
});
