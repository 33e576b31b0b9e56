// Drafts on a ticket's page: what an agent types in the reply box is kept in this browser
// (localStorage, per ticket) until it has been sent, so leaving the page, or a refused send,
// loses nothing. A send is marked when the form is submitted; the page that comes back
// forgets the draft unless it shows an error. Without JavaScript the box works as before.
(function () {
  var box = document.querySelector("textarea[data-draft]");
  if (!box || !window.localStorage || !window.sessionStorage) return;
  var key = "varde-draft-" + box.getAttribute("data-draft");
  var kept = localStorage.getItem(key);
  var sent = sessionStorage.getItem(key + "-sent");
  sessionStorage.removeItem(key + "-sent");
  if (sent !== null && kept === sent && !document.querySelector("#notice.bad")) {
    localStorage.removeItem(key); // sent, and the page took it
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
  if (box.form) box.form.addEventListener("submit", function () {
    if (box.value.trim()) sessionStorage.setItem(key + "-sent", box.value);
  });
})();
