// The slide viewer of /dev/slides: the arrow keys (and Page Up/Down, Home, End) follow the page's
// previous and next links, which work without JavaScript too.
"use strict";

(function () {
  var slide = document.getElementById("slide");
  if (!slide) { return; }
  var total = Number(slide.getAttribute("data-total"));

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var link = null;
    if (event.key === "ArrowRight" || event.key === "PageDown" || event.key === " ") { link = document.querySelector("a[rel=next]"); }
    if (event.key === "ArrowLeft" || event.key === "PageUp") { link = document.querySelector("a[rel=prev]"); }
    if (link) {
      event.preventDefault();
      location.href = link.href;
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      location.href = location.pathname.replace(/\/\d+$/, "/" + (event.key === "Home" ? 1 : total)) + location.search;  // ?notes=1 stays
    }
  });
}());
