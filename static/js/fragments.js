// The fragment explorer (development only): after a fragment arrives, show its raw HTML and the
// status and htmx headers of the response. htmx does the request and the swap.
"use strict";

(function () {
  var raw = document.getElementById("fragment-raw");
  var status = document.getElementById("fragment-status");
  if (!raw) { return; }

  function describe(xhr, label) {
    var headers = ["HX-Trigger", "HX-Push-Url", "HX-Redirect", "Vary"].map(function (name) {
      var value = xhr.getResponseHeader(name);
      return value ? name + ": " + value : null;
    }).filter(Boolean);
    status.textContent = label + " → " + xhr.status + " " + xhr.statusText +
      (headers.length ? " · " + headers.join(" · ") : "");
  }

  // Swapped answers (2xx, and the 409/422/429 refusals htmx is told to swap).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "fragment-output") { return; }
    raw.textContent = event.detail.xhr.responseText.trim();  // exactly what the server sent
    describe(event.detail.xhr, event.detail.requestConfig.elt.getAttribute("data-explorer"));
  });

  // Answers htmx does not swap (400 without a CSRF token, 404...): show them as text.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (!event.detail.elt.hasAttribute("data-explorer")) { return; }
    raw.textContent = event.detail.xhr.responseText;
    describe(event.detail.xhr, event.detail.elt.getAttribute("data-explorer"));
  });
}());
