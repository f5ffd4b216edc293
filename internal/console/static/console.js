// kinko console: small conveniences only. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Copy buttons: data-copy names the element whose text is copied.
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var el = document.getElementById(btn.getAttribute("data-copy"));
      if (!el || !navigator.clipboard) { return; }
      var text = el.value !== undefined && el.tagName === "INPUT" ? el.value : el.innerText;
      navigator.clipboard.writeText(text.trim()).then(function () {
        var done = btn.getAttribute("data-done");
        if (done) { btn.textContent = done; }
      });
    });
  });
  // Revealed values disappear after data-hide-after seconds: the page shows the masked
  // value again and a reload does not bring the clear one back (the page is no-store).
  document.querySelectorAll("[data-hide-after]").forEach(function (el) {
    var secs = parseInt(el.getAttribute("data-hide-after"), 10) || 60;
    var counter = el.querySelector("[data-countdown]");
    var left = secs;
    var timer = setInterval(function () {
      left -= 1;
      if (counter) { counter.textContent = String(left); }
      if (left <= 0) {
        clearInterval(timer);
        var masked = el.getAttribute("data-masked") || "••••";
        el.textContent = masked;
        el.classList.remove("revealed");
        el.classList.add("masked");
      }
    }, 1000);
  });
  // Forms that ask "are you sure?": data-confirm holds the question.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
});
