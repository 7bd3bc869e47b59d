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

// Alert inbox (/alerts): select several and acknowledge them with one note;
// keyboard: j/k move, x select, a acknowledge, o/Enter open, ? help, Esc close.
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("inbox");
  var form = document.getElementById("bulk");
  var help = document.getElementById("help");
  if (!help) return;
  var items = list ? Array.prototype.slice.call(list.querySelectorAll("li.alert")) : [];
  var cur = -1;
  var count = document.getElementById("selcount");
  var all = document.getElementById("select-all");

  function boxes() {
    return list ? Array.prototype.slice.call(list.querySelectorAll("input.sel")) : [];
  }
  function refresh() {
    var n = 0;
    boxes().forEach(function (b) {
      var li = b.closest("li");
      if (li) li.classList.toggle("selected", b.checked);
      if (b.checked) n++;
    });
    if (count) count.textContent = n ? "Đã chọn " + n : "";
    if (all) all.checked = n > 0 && n === boxes().length;
  }
  function setCur(i) {
    if (!items.length) return;
    i = Math.max(0, Math.min(items.length - 1, i));
    if (cur >= 0 && items[cur]) items[cur].classList.remove("cur");
    cur = i;
    items[cur].classList.add("cur");
    items[cur].focus({ preventScroll: true });
    items[cur].scrollIntoView({ block: "nearest" });
  }
  function toggleHelp(show) {
    if (show === undefined) show = help.hidden;
    help.hidden = !show;
    if (show) document.getElementById("help-close").focus();
  }
  function submitSelected() {
    if (!form) return;
    var chosen = boxes().filter(function (b) { return b.checked; });
    if (!chosen.length && cur >= 0) {
      var b = items[cur].querySelector("input.sel");
      if (b) { b.checked = true; chosen = [b]; refresh(); }
    }
    if (!chosen.length) {
      if (count) count.textContent = "Chưa chọn cảnh báo nào";
      return;
    }
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  if (list) list.addEventListener("change", refresh);
  if (all) all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    refresh();
  });
  if (form) form.addEventListener("submit", function (e) {
    if (!boxes().some(function (b) { return b.checked; })) {
      e.preventDefault();
      if (count) count.textContent = "Chưa chọn cảnh báo nào";
    }
  });
  items.forEach(function (li, i) {
    li.addEventListener("click", function () { setCur(i); });
  });
  document.getElementById("help-open").addEventListener("click", function () { toggleHelp(true); });
  document.getElementById("help-close").addEventListener("click", function () { toggleHelp(false); });
  help.addEventListener("click", function (e) { if (e.target === help) toggleHelp(false); });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (e.key === "Escape") { toggleHelp(false); return; }
    if ((tag === "input" && e.target.type !== "checkbox") || tag === "textarea" || tag === "select") return;
    switch (e.key) {
      case "?": toggleHelp(); break;
      case "j": setCur(cur + 1); break;
      case "k": setCur(cur < 0 ? 0 : cur - 1); break;
      case "x":
        if (cur < 0) { setCur(0); }
        var b = items[cur] && items[cur].querySelector("input.sel");
        if (b) { b.checked = !b.checked; refresh(); }
        break;
      case "a": submitSelected(); break;
      case "o": case "Enter":
        if (cur >= 0 && tag !== "a" && tag !== "button") {
          var a = items[cur].querySelector("a.open");
          if (a) window.location.href = a.getAttribute("href");
        } else return;
        break;
      default: return;
    }
    e.preventDefault();
  });
  refresh();
});
