// diembao UI: the only script, served from /static (CSP forbids inline script).
// It adds conveniences; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Ask before re-queuing a dead letter.
  document.querySelectorAll("form[action^='/deadletters/']").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm("Đưa thông điệp này trở lại hàng đợi?")) e.preventDefault();
    });
  });
  // Focus the search box on the search page when it is empty.
  var q = document.getElementById("q");
  if (q && !q.value && window.matchMedia("(min-width: 721px)").matches) q.focus();
});
