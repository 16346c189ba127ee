// The back office's one addition to htmx: Esc leaves a cell being edited in place, as its Cancel
// link does (htmx swaps the cell shown again). Without JavaScript the Cancel link goes back to the list.
"use strict";

document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape" || !event.target.closest) { return; }
  var form = event.target.closest("form.cell-edit");
  var cancel = form && form.querySelector(".cancel-edit");
  if (cancel) {
    event.preventDefault();
    cancel.click();
  }
});
