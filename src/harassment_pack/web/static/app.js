// Small progressive extras; every page works without them.
(function () {
  "use strict";
  // Leave quickly: end the session, replace this page (no Back to it), show a neutral page.
  function leave() {
    var form = document.querySelector("[data-quick-exit]");
    try {
      if (form && navigator.sendBeacon) navigator.sendBeacon("/leave", new FormData(form));
    } catch (e) { /* leaving matters more than ending the session */ }
    document.body.innerHTML = "";
    document.title = "Weather";
    window.location.replace("/away");
  }
  document.addEventListener("submit", function (event) {
    if (event.target.matches("[data-quick-exit]")) { event.preventDefault(); leave(); }
  });
  var shifts = [];
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { shifts = []; return; }
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 2000; });
    shifts.push(now);
    if (shifts.length >= 3) leave();
  });
  // Errors: move focus to the summary so screen readers hear it first.
  var summary = document.querySelector("[data-focus]");
  if (summary) summary.focus();
  document.querySelectorAll("[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) { event.preventDefault(); history.back(); });
  });
  // Build progress: ask the server what the build has said, until it ends.
  var status = document.getElementById("build-status");
  if (status && status.hasAttribute("data-running")) {
    var timer = setInterval(function () {
      fetch(status.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var list = status.querySelector(".build-lines");
          list.innerHTML = "";
          s.lines.forEach(function (line) {
            var li = document.createElement("li"); li.textContent = line; list.appendChild(li);
          });
          if (!s.running) { clearInterval(timer); window.location.reload(); }
        });
    }, 1500);
  }
})();
