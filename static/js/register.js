// Instant feedback on every form that sets a password: registration, the reset page and the
// account page's "change the password". htmx asks the server about the username, the email and
// the password (the server is the authority); this file answers at once, on every key, using
// FernhouseRules from rules.js, before the server's answer arrives.
// Listeners sit on the document (event delegation), so forms that htmx swaps in keep working.
"use strict";

(function () {
  // The forms this file serves: the registration form, and any form marked data-password-form.
  function passwordForm(element) {
    var form = element && element.form;
    if (form && (form.id === "register-form" || form.hasAttribute("data-password-form"))) {
      return form;
    }
    return null;
  }

  function field(form, name) {
    return form.querySelector('[name="' + name + '"]');
  }

  function value(form, name) {
    var input = field(form, name);
    return input ? input.value : "";
  }

  // Tick each rule of the form's checklist as the password changes.
  function updateChecklist(form) {
    var checks = FernhouseRules.passwordChecks(value(form, "password"), value(form, "username").trim(),
                                               value(form, "email").trim().toLowerCase());
    Object.keys(checks).forEach(function (rule) {
      var item = form.querySelector('.rules li[data-rule="' + rule + '"]');
      if (item) {
        item.classList.toggle("met", checks[rule]);
        item.classList.toggle("unmet", !checks[rule]);
      }
    });
    updateConfirm(form);
  }

  // Say whether the repeated password matches, once something is typed there.
  function updateConfirm(form) {
    var confirm = field(form, "password_confirm");
    var status = form.querySelector("[data-confirm-status], #confirm-status");
    if (!confirm || !status) { return; }
    if (!confirm.value) {
      status.className = "field-status idle";
      status.textContent = "";
    } else if (confirm.value === value(form, "password")) {
      status.className = "field-status ok";
      status.textContent = "The passwords match.";
    } else {
      status.className = "field-status error";
      status.textContent = "The two passwords do not match yet.";
    }
    confirm.setAttribute("aria-invalid", String(status.className.indexOf("error") !== -1));
  }

  // Show a username's format problem at once (registration); availability still comes from the server.
  function checkUsernameFormat(form) {
    var username = field(form, "username");
    var problem = FernhouseRules.usernameProblem(username.value);
    var status = document.getElementById("username-status");
    if (problem && status) {
      status.className = "field-status error";
      status.textContent = problem;
      username.setAttribute("aria-invalid", "true");
    }
  }

  document.addEventListener("input", function (event) {
    var form = passwordForm(event.target);
    if (!form) { return; }
    var name = event.target.name;
    if (name === "username" && form.id === "register-form") { checkUsernameFormat(form); }
    if (name === "password" || name === "username" || name === "email") { updateChecklist(form); }
    if (name === "password_confirm") { updateConfirm(form); }
  });

  // When the server's checklist replaces ours, re-apply the local ticks for anything typed since.
  document.addEventListener("htmx:afterSettle", function (event) {
    var list = event.target;
    if (list && list.classList && list.classList.contains("rules") && list.closest("form")) {
      var form = list.closest("form");
      if (form.id === "register-form" || form.hasAttribute("data-password-form")) { updateChecklist(form); }
    }
  });
}());
