// The account rules, once, in JavaScript: the same rules as shop/validation.py, for instant
// feedback while typing. The server checks everything again; tests/validation_vectors.json is
// run against both files, so they cannot drift apart.
"use strict";

var FernhouseRules = (function () {
  var USERNAME_MIN = 5, USERNAME_MAX = 32, PASSWORD_MIN = 8, PASSWORD_MAX = 128;
  var USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

  // Length in characters (code points), as Python counts them, not UTF-16 units.
  function length(text) {
    return Array.from(text).length;
  }

  // Each password rule with true (met) or false, in the order of the checklist.
  function passwordChecks(password, username, email) {
    password = password || "";
    var lowered = password.toLowerCase();
    var personal = [username || "", email || ""].filter(Boolean).map(function (v) { return v.toLowerCase(); });
    return {
      length: length(password) >= PASSWORD_MIN,
      upper: /\p{Lu}/u.test(password),
      lower: /\p{Ll}/u.test(password),
      symbol: /[\p{P}\p{S}]/u.test(password),
      not_personal: password.length > 0 && personal.indexOf(lowered) === -1,
      max_length: length(password) <= PASSWORD_MAX
    };
  }

  // null when the username is acceptable, otherwise the reason it is not.
  function usernameProblem(raw) {
    var value = (raw || "").trim();
    if (!value) { return "Choose a username."; }
    if (length(value) < USERNAME_MIN) { return "Usernames have at least " + USERNAME_MIN + " characters."; }
    if (length(value) > USERNAME_MAX) { return "Usernames have at most " + USERNAME_MAX + " characters."; }
    if (!USERNAME_PATTERN.test(value)) { return "Use only letters, digits, and _ . - in a username."; }
    return null;
  }

  return { passwordChecks: passwordChecks, usernameProblem: usernameProblem };
}());
