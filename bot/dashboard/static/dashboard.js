// The dashboard refreshes itself: it asks the server, lightly, whether the campaign's data
// has changed since the page was made, and reloads once a burst of changes has settled.
(function () {
  "use strict";
  var shown = document.body.getAttribute("data-version");
  if (!shown) { return; }
  var EVERY = 5000;   // how often to ask, in milliseconds
  var SETTLE = 2000;  // wait this long after a change is seen before reloading
  var pending = null;

  function busy() {
    var active = document.activeElement;
    return active && (active.tagName === "SELECT" || active.tagName === "INPUT");
  }

  function reload() {
    pending = null;
    if (busy()) { pending = window.setTimeout(reload, SETTLE); return; }
    window.location.reload();
  }

  function ask() {
    if (document.hidden) { return; }
    fetch("/version.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        // The session has ended (a projector left on past the working day): show the page
        // that says so, rather than figures that have stopped changing.
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.version !== shown && pending === null) {
          pending = window.setTimeout(reload, SETTLE);
        }
      })
      .catch(function () { /* the bot may be restarting: ask again later */ });
  }

  window.setInterval(ask, EVERY);
})();
