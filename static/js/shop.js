// Fernhouse's own JavaScript. htmx does the requests and swaps; this file only adds what
// htmx cannot do declaratively. Loaded with `defer` on every page; no inline scripts (CSP).
"use strict";

// Announce the result count to screen readers after the catalogue results change.
// The live region (#results-status) sits outside #results, so it survives the swap and
// assistive technology reads the new text out; unchanged text is not read again.
document.addEventListener("htmx:afterSettle", function () {
  var status = document.getElementById("results-status");
  var count = document.querySelector("#results [data-result-count]");
  if (status && count) {
    status.textContent = count.textContent.replace(/\s+/g, " ").trim();
  }
});

// After a live check swaps in a field's status line, mark its input invalid or valid, so
// assistive technology announces the field's state with its message.
document.addEventListener("htmx:afterSettle", function (event) {
  var status = event.target;
  if (!status || !status.classList || !status.classList.contains("field-status")) {
    return;
  }
  var input = document.getElementById(status.getAttribute("data-for"));
  if (input) {
    input.setAttribute("aria-invalid", String(status.classList.contains("error")));
  }
});
