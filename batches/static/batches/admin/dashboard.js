// Refreshes the dashboard's body in place from its JSON endpoint, with the
// page's filters: the next request leaves a few seconds after the last
// answer (never piling up on a slow database); skipped while the tab is hidden.
(function () {
  const body = document.getElementById("dashboard-body");
  const updated = document.getElementById("dashboard-updated");
  const pause = Number(body.dataset.refreshSeconds) * 1000;
  async function refresh() {
    if (!document.hidden) {
      try {
        const response = await fetch(body.dataset.source + window.location.search, {credentials: "same-origin"});
        if (!response.ok) throw new Error("HTTP " + response.status);
        body.innerHTML = (await response.json()).html;
        updated.textContent = "updated " + new Date().toLocaleTimeString();
      } catch (error) {
        updated.textContent = "not updated (" + error.message + "), retrying";
      }
    }
    setTimeout(refresh, pause);
  }
  setTimeout(refresh, pause);
})();
