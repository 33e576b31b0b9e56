// Drafts on a ticket's page: what an agent types in the reply box is kept in this browser
// (localStorage, per ticket) until the ticket's history shows it was sent, so leaving the
// page, or a refused send, loses nothing. Without JavaScript the box works as before.
(function () {
  var box = document.querySelector("textarea[data-draft]");
  if (!box || !window.localStorage) return;
  var key = "varde-draft-" + box.getAttribute("data-draft");
  var kept = localStorage.getItem(key);
  var history = document.querySelector("ol.history");
  var firstLine = kept ? kept.trim().split("\n")[0].trim().slice(0, 100) : "";
  if (kept && history && firstLine && history.textContent.indexOf(firstLine) >= 0) {
    localStorage.removeItem(key); // sent: it is in the history now
    kept = null;
  }
  if (kept && !box.value) {
    box.value = kept;
    var note = document.getElementById("draft-note");
    if (note) note.hidden = false;
  }
  box.addEventListener("input", function () {
    if (box.value.trim()) localStorage.setItem(key, box.value);
    else localStorage.removeItem(key);
  });
})();
