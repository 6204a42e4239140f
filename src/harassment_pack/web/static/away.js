// Fill the tab's history after this page with itself, so Back stays on a neutral page.
(function () {
  "use strict";
  for (var i = 0; i < 10; i++) history.pushState(null, "", "/away");
  window.addEventListener("popstate", function () { history.pushState(null, "", "/away"); });
})();
