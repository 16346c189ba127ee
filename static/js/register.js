// The registration form's instant feedback. htmx asks the server about the username, the email
// and the password (the server is the authority); this file answers at once, on every key,
// using FernhouseRules from rules.js, before the server's answer arrives.
"use strict";

(function () {
  var form = document.getElementById("register-form");
  if (!form) { return; }
  var username = document.getElementById("username");
  var email = document.getElementById("email");
  var password = document.getElementById("password");
  var confirm = document.getElementById("password_confirm");

  // Tick each rule of the checklist as the password changes.
  function updateChecklist() {
    var checks = FernhouseRules.passwordChecks(password.value, username.value.trim(), email.value.trim().toLowerCase());
    Object.keys(checks).forEach(function (rule) {
      var item = document.querySelector('#password-rules li[data-rule="' + rule + '"]');
      if (item) {
        item.classList.toggle("met", checks[rule]);
        item.classList.toggle("unmet", !checks[rule]);
      }
    });
    updateConfirm();
  }

  // Say whether the repeated password matches, once something is typed there.
  function updateConfirm() {
    var status = document.getElementById("confirm-status");
    if (!confirm.value) {
      status.className = "field-status idle";
      status.textContent = "";
    } else if (confirm.value === password.value) {
      status.className = "field-status ok";
      status.textContent = "The passwords match.";
    } else {
      status.className = "field-status error";
      status.textContent = "The two passwords do not match yet.";
    }
    confirm.setAttribute("aria-invalid", String(status.className.indexOf("error") !== -1));
  }

  // Show a username's format problem at once; availability still comes from the server.
  function checkUsernameFormat() {
    var problem = FernhouseRules.usernameProblem(username.value);
    var status = document.getElementById("username-status");
    if (problem && status) {
      status.className = "field-status error";
      status.textContent = problem;
      username.setAttribute("aria-invalid", "true");
    }
  }

  password.addEventListener("input", updateChecklist);
  username.addEventListener("input", function () { checkUsernameFormat(); updateChecklist(); });
  email.addEventListener("input", updateChecklist);
  confirm.addEventListener("input", updateConfirm);

  // When the server's checklist replaces ours, re-apply the local ticks for anything typed since.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "password-rules") {
      updateChecklist();
    }
  });
}());
