// Reloads a status page that shows live state once a minute, when it is visible.
setTimeout(function () {
  if (!document.hidden) location.reload();
  else document.addEventListener("visibilitychange", function () { location.reload(); }, { once: true });
}, 60000);
