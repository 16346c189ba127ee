// Explain mode (development only: base.html loads this file only when it is on). Shows, on the live page,
// which route, Python view and partial fill each region htmx swaps; says in plain words what every hx-*
// control does (on hover or focus); and lists every htmx request in a side panel with its status, time,
// size, HX-* headers, the view and template that answered (the X-Fernhouse-* headers of shop/explain.py)
// and the fragment's source. The URL map comes from GET /dev/explain/routes.
"use strict";

(function () {
  var body = document.body;
  var VERBS = ["get", "post", "put", "patch", "delete"];
  var CONTROLS = VERBS.map(function (verb) { return "[hx-" + verb + "]"; }).join(",");
  var SWAPS = {
    innerHTML: "replace the inside of", outerHTML: "replace", beforebegin: "insert before",
    afterbegin: "insert at the start of", beforeend: "append to", afterend: "insert after",
    delete: "delete", none: "swap only the out-of-band parts, nothing into"
  };
  var KEEP = 20;
  var routes = [];
  var log, count, tip;

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) { made.className = className; }
    if (text !== undefined) { made.textContent = text; }
    return made;
  }

  // ---- what a control asks for ----
  function requestOf(control) {
    for (var i = 0; i < VERBS.length; i++) {
      if (control.hasAttribute("hx-" + VERBS[i])) {
        var url = control.getAttribute("hx-" + VERBS[i]) || (control.form ? control.form.action : location.href);
        return { method: VERBS[i].toUpperCase(), url: url };
      }
    }
    return null;
  }

  function routeFor(method, url) {
    var path = new URL(url, location.href).pathname;
    for (var i = 0; i < routes.length; i++) {
      if (routes[i].methods.indexOf(method) >= 0 && new RegExp(routes[i].pattern).test(path)) { return routes[i]; }
    }
    return null;
  }

  function inherited(control, name) {
    var holder = control.closest("[" + name + "]");
    return holder ? { value: holder.getAttribute(name).trim(), holder: holder } : null;
  }

  function targetOf(control) {
    var found = inherited(control, "hx-target");
    if (!found || found.value === "this") { return found ? found.holder : control; }
    var value = found.value;
    try {
      if (value.indexOf("closest ") === 0) { return control.closest(value.slice(8)); }
      if (value.indexOf("find ") === 0) { return control.querySelector(value.slice(5)); }
      if (value === "next") { return control.nextElementSibling; }
      if (value === "previous") { return control.previousElementSibling; }
      return document.querySelector(value);
    } catch (error) {
      return null;  // a selector this overlay does not understand: no label rather than a wrong one
    }
  }

  function nameOf(target, control) {
    if (!target) { return "(nothing)"; }
    if (target === control) { return "itself"; }
    if (target.id) { return "#" + target.id; }
    return target.tagName.toLowerCase() + (target.classList[0] ? "." + target.classList[0] : "");
  }

  function defaultTrigger(control) {
    if (control.tagName === "FORM") { return "submit"; }
    return /^(INPUT|SELECT|TEXTAREA)$/.test(control.tagName) ? "change" : "click";
  }

  function triggerWords(control) {
    var spec = control.getAttribute("hx-trigger") || defaultTrigger(control);
    return spec.split(",").map(function (part) {
      var words = part.trim().split(/\s+/);
      var event = words.shift();
      var said = event === "load" ? "when it loads" : event === "revealed" ? "when scrolled into view"
        : event === "every" ? "every " + words.shift() : "on " + event;
      words.forEach(function (word) {
        if (word === "changed") { said += " (if the value changed)"; }
        else if (word === "once") { said += " (once)"; }
        else if (word.indexOf("delay:") === 0) { said += ", after " + word.slice(6).replace("ms", " ms") + " of quiet"; }
        else if (word.indexOf("throttle:") === 0) { said += ", at most once per " + word.slice(9).replace("ms", " ms"); }
        else if (word.indexOf("from:") === 0) { said += " from " + word.slice(5); }
        else { said += " " + word; }
      });
      return said;
    }).join(" or ");
  }

  function plainWords(control, asked) {
    var target = targetOf(control);
    var swap = inherited(control, "hx-swap");
    var style = swap ? swap.value.split(/\s+/)[0] : "innerHTML";
    var said = [triggerWords(control), asked.method + " " + asked.url, (SWAPS[style] || style) + " " + nameOf(target, control)];
    var sync = inherited(control, "hx-sync");
    if (sync) { said.push(/:replace$/.test(sync.value) ? "a newer request replaces one in flight" : "sync " + sync.value); }
    var include = inherited(control, "hx-include");
    if (include) { said.push("also sends the fields of " + include.value); }
    if (control.getAttribute("hx-push-url") === "true") { said.push("shows the new URL in the address bar"); }
    var disabled = inherited(control, "hx-disabled-elt");
    if (disabled) { said.push("disables " + disabled.value + " while waiting"); }
    return said.join(", ");
  }

  // ---- labels on the regions htmx fills ----
  function regionFor(target) {
    if (!target) { return null; }
    if (/^(TBODY|THEAD|TR|TD|TH)$/.test(target.tagName)) { return target.closest("table"); }
    if (/^(INPUT|SELECT|TEXTAREA|BUTTON|A|OPTION)$/.test(target.tagName)) { return target.parentElement; }
    return target;
  }

  function labelRegions() {
    document.querySelectorAll("[data-explain-label]").forEach(function (region) {
      ["label", "route", "view", "partial"].forEach(function (name) { region.removeAttribute("data-explain-" + name); });
    });
    document.querySelectorAll(CONTROLS).forEach(function (control) {
      if (control.closest(".fh-explain")) { return; }
      var asked = requestOf(control);
      var route = routeFor(asked.method, asked.url);
      control.setAttribute("data-explain-says", plainWords(control, asked));
      var swap = inherited(control, "hx-swap");
      var region = swap && /^none\b/.test(swap.value) ? null : regionFor(targetOf(control));
      if (!route || !region) { return; }  // hx-swap="none": only out-of-band parts change, each labelled by id
      var label = asked.method + " " + route.rule + " · " + route.view + " · " + (route.partial || "(whole page)");
      var labels = (region.getAttribute("data-explain-label") || "").split(" | ").filter(Boolean);
      if (labels.indexOf(label) < 0) { labels.push(label); }
      region.setAttribute("data-explain-label", labels.join(" | "));
      if (labels.length === 1) {  // the first control that fills a region names it in data attributes too
        region.setAttribute("data-explain-route", asked.method + " " + route.rule);
        region.setAttribute("data-explain-view", route.view);
        region.setAttribute("data-explain-partial", route.partial);
      }
    });
  }

  // ---- the words of a control, on hover or focus ----
  function describedBy(target) {  // the control itself, or the form a field belongs to (form="filters" too)
    if (!target.closest) { return null; }
    var control = target.closest("[data-explain-says]");
    return control || (target.form && target.form.hasAttribute("data-explain-says") ? target.form : null);
  }

  function showTip(event) {
    var control = describedBy(event.target);
    if (!control) { return; }
    tip.textContent = control.getAttribute("data-explain-says");
    tip.hidden = false;
    control.setAttribute("aria-describedby", "fh-explain-tip");
    var box = (event.target.form === control ? event.target : control).getBoundingClientRect();
    var left = Math.max(4, Math.min(box.left, window.innerWidth - tip.offsetWidth - 4));
    var top = box.bottom + 6 + tip.offsetHeight > window.innerHeight ? box.top - tip.offsetHeight - 6 : box.bottom + 6;
    tip.style.left = left + "px";
    tip.style.top = Math.max(4, top) + "px";
  }

  function hideTip(event) {
    var control = describedBy(event.target);
    if (control) { control.removeAttribute("aria-describedby"); }
    tip.hidden = true;
  }

  // ---- the request panel ----
  function headerLines(xhr) {  // the browser gives them in lower case: "hx-trigger" is shown "HX-Trigger"
    return xhr.getAllResponseHeaders().split(/\r?\n/).filter(function (line) {
      return /^(hx-|x-fernhouse-)/i.test(line);
    }).map(function (line) {
      var cut = line.indexOf(":");
      return line.slice(0, cut).split("-").map(function (part) {
        return part === "hx" ? "HX" : part.charAt(0).toUpperCase() + part.slice(1);
      }).join("-") + line.slice(cut);
    });
  }

  function addRow(list, name, value) {
    var row = element("div", "fh-explain-row");
    row.appendChild(element("dt", "", name));
    row.appendChild(element("dd", "", value || "—"));
    list.appendChild(row);
  }

  function record(event) {
    var detail = event.detail;
    var xhr = detail.xhr;
    if (!xhr || (detail.elt && detail.elt.closest(".fh-explain"))) { return; }
    var config = detail.requestConfig || {};
    var url = (detail.pathInfo && detail.pathInfo.finalRequestPath) || config.path || "";
    var took = Math.round(performance.now() - (xhr.fhStarted || performance.now()));
    var bytes = new Blob([xhr.responseText || ""]).size;
    var item = element("li", "fh-explain-request");
    item.setAttribute("data-method", (config.verb || "").toUpperCase());
    item.setAttribute("data-url", url);
    item.setAttribute("data-status", String(xhr.status));
    var summary = element("p", "fh-explain-summary",
      (config.verb || "").toUpperCase() + " " + url + " → " + xhr.status + " · " + took + " ms · " + bytes + " B");
    item.appendChild(summary);
    var facts = element("dl", "fh-explain-facts");
    addRow(facts, "Route", xhr.getResponseHeader("X-Fernhouse-Route"));
    addRow(facts, "View", xhr.getResponseHeader("X-Fernhouse-View"));
    addRow(facts, "Template", xhr.getResponseHeader("X-Fernhouse-Template"));
    var swap = detail.elt ? inherited(detail.elt, "hx-swap") : null;
    addRow(facts, "Swapped", swap && /^none\b/.test(swap.value) ? "only its out-of-band parts (hx-swap=\"none\")"
      : detail.target ? nameOf(detail.target, null) : "");
    var sent = Object.keys(config.headers || {}).filter(function (name) { return /^HX-/i.test(name); })
      .map(function (name) { return name + ": " + config.headers[name]; });
    addRow(facts, "Sent", sent.join("\n"));
    addRow(facts, "Answered", headerLines(xhr).join("\n"));
    item.appendChild(facts);
    var source = element("details", "fh-explain-source");
    source.appendChild(element("summary", "", "View source"));
    var code = element("pre");
    code.textContent = (xhr.responseText || "").slice(0, 20000);
    source.appendChild(code);
    item.appendChild(source);
    log.insertBefore(item, log.firstChild);
    while (log.children.length > KEEP) { log.removeChild(log.lastChild); }
    count.textContent = String(log.children.length);
  }

  function buildPanel() {
    var panel = element("aside", "fh-explain");
    panel.setAttribute("aria-label", "Explain mode");
    var head = element("div", "fh-explain-head");
    var toggle = element("button", "fh-explain-toggle");
    toggle.type = "button";
    toggle.appendChild(document.createTextNode("Explain · requests "));
    count = element("span", "fh-explain-count", "0");
    toggle.appendChild(count);
    var narrow = window.matchMedia("(max-width: 700px)").matches;
    toggle.setAttribute("aria-expanded", narrow ? "false" : "true");
    head.appendChild(toggle);
    panel.appendChild(head);
    var inside = element("div", "fh-explain-body");
    inside.id = "fh-explain-body";
    inside.hidden = narrow;
    toggle.setAttribute("aria-controls", inside.id);
    var page = element("p", "fh-explain-page");
    page.appendChild(element("strong", "", "This page: "));
    page.appendChild(element("code", "", [body.dataset.explainRoute, body.dataset.explainView,
      body.dataset.explainTemplate].join(" · ")));
    inside.appendChild(page);
    inside.appendChild(element("p", "fh-explain-hint",
      "Outlined regions are filled by htmx; hover or focus a control to read what it asks. The last " + KEEP +
      " htmx requests, newest first:"));
    log = element("ol", "fh-explain-log");
    inside.appendChild(log);
    panel.appendChild(inside);
    // explain.css docks the open panel beside the page (wide) or below it (narrow) from this class
    body.classList.toggle("fh-explain-open", !narrow);
    toggle.addEventListener("click", function () {
      inside.hidden = !inside.hidden;
      toggle.setAttribute("aria-expanded", inside.hidden ? "false" : "true");
      body.classList.toggle("fh-explain-open", !inside.hidden);
      if (!inside.hidden && window.matchMedia("(max-width: 700px)").matches) { panel.scrollIntoView(); }
    });
    body.appendChild(panel);
    tip = element("div", "fh-explain-tip");
    tip.id = "fh-explain-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    body.appendChild(tip);
  }

  buildPanel();
  body.classList.add("fh-explaining");
  body.addEventListener("htmx:beforeRequest", function (event) { event.detail.xhr.fhStarted = performance.now(); });
  body.addEventListener("htmx:afterRequest", record);
  body.addEventListener("htmx:afterSettle", labelRegions);
  body.addEventListener("mouseover", showTip);
  body.addEventListener("focusin", showTip);
  body.addEventListener("mouseout", hideTip);
  body.addEventListener("focusout", hideTip);
  fetch(body.dataset.explainRoutes, { credentials: "same-origin" })
    .then(function (answer) { return answer.json(); })
    .then(function (map) {
      routes = map.routes;
      labelRegions();
      body.setAttribute("data-explain-ready", "1");
    });
}());
