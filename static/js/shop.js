// Fernhouse's own JavaScript. htmx does the requests and swaps; this file only adds what
// htmx cannot do declaratively. Loaded with `defer` on every page; no inline scripts (CSP).
"use strict";

// Lets the CSS hide controls that only a page without JavaScript needs (like "Update" buttons).
document.documentElement.classList.add("js");

// Forms marked data-disable-on-submit (the Buy button) are sent once: the button is disabled
// and shows its busy label while the request runs. The server's idempotency key is the real
// guarantee; this spares the customer a confusing second click.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-disable-on-submit")) {
    return;
  }
  if (form.getAttribute("aria-busy") === "true") {
    event.preventDefault();
    return;
  }
  form.setAttribute("aria-busy", "true");
  Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
    button.disabled = true;
  });
});

// A page restored from the back/forward cache must not keep a Buy button disabled.
window.addEventListener("pageshow", function () {
  Array.prototype.forEach.call(document.querySelectorAll("form[aria-busy=true]"), function (form) {
    form.removeAttribute("aria-busy");
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
      button.disabled = false;
    });
  });
});

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

// A message about a quantity speaks of the quantity it answered: once the person types a new one,
// the old "✓ Added …" beside an add-to-cart form, or a cart line's "Only 42 left", is taken away (the
// browser may refuse the new number itself, 500 or -2, and then no answer would replace the message).
document.addEventListener("input", function (event) {
  var field = event.target;
  if (!field.classList || !field.classList.contains("quantity")) {
    return;
  }
  var add = field.closest("form.add-to-cart");
  var stale = add ? add.querySelector(".add-result") : field.closest(".cart-line") &&
    field.closest(".cart-line").querySelector(".line-problem");
  if (stale && add) {
    stale.textContent = "";
    stale.className = "add-result";
  } else if (stale) {
    stale.remove();
  }
});

// The focus keeper: after any htmx swap, keyboard focus stays where the person was, never on <body>.
// A swap removes the focused control (the cart is swapped whole) and hx-disabled-elt blurs a button
// while its request runs; either way the browser drops focus to <body>. So, per request, the focused
// element is remembered when the request starts and again just before its swap (the person may have
// tabbed on), with a path to find its twin in the new markup (its id, or its place under the nearest
// ancestor that has one). When the swap has settled, and only if focus is on <body>: the same element
// if it is still there, else its twin, else the answer the fragment marks with data-focus-after-swap (a
// status line in an aria-live region, so it is also read out), else the swapped region itself. A
// request started with nothing focused (a page's own "load" requests) never moves focus.
(function () {
  var pending = new WeakMap();  // a request (its XMLHttpRequest) -> {element, path}

  function pathTo(element) {
    var steps = [];
    for (var node = element; node && node !== document.body; node = node.parentElement) {
      if (node.id) {
        steps.unshift("#" + CSS.escape(node.id));
        return steps.join(" > ");
      }
      var index = Array.prototype.indexOf.call(node.parentElement.children, node) + 1;
      steps.unshift(node.tagName.toLowerCase() + ":nth-child(" + index + ")");
    }
    return null;
  }

  function nothingFocused() {
    var active = document.activeElement;
    return !active || active === document.body || active === document.documentElement;
  }

  function remember(event) {
    if (!nothingFocused()) {
      pending.set(event.detail.xhr, {element: document.activeElement, path: pathTo(document.activeElement)});
    }
  }

  function usable(element) {
    return element && element.isConnected && !element.disabled && element.getClientRects().length > 0;
  }

  function focusOn(element) {
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  document.addEventListener("htmx:beforeRequest", remember);
  document.addEventListener("htmx:beforeSwap", remember);
  document.addEventListener("htmx:afterSettle", function (event) {
    var held = event.detail.xhr && pending.get(event.detail.xhr);
    if (held) {
      pending.delete(event.detail.xhr);
    }
    if (!held || !nothingFocused()) {
      return;
    }
    var target = event.detail.target;
    var region = target && !target.isConnected && target.id ? document.getElementById(target.id) : target;
    region = region && region.isConnected ? region : event.target;
    var twin = held.path ? document.querySelector(held.path) : null;
    var answer = region.closest("[data-focus-after-swap]") || region.querySelector("[data-focus-after-swap]");
    var goal = usable(held.element) ? held.element : usable(twin) ? twin : answer || region;
    if (goal && goal.isConnected) {
      focusOn(goal);
    }
  });
})();
