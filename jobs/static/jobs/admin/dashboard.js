// Refreshes the dashboard's body in place from its JSON endpoint, with the
// page's filters; skips while the tab is hidden and keeps the last figures on error.
(function () {
  const body = document.getElementById("dashboard-body");
  const updated = document.getElementById("dashboard-updated");
  const every = Number(body.dataset.refreshSeconds) * 1000;
  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(body.dataset.source + window.location.search, {credentials: "same-origin"});
      if (!response.ok) throw new Error(response.status);
      body.innerHTML = (await response.json()).html;
      updated.textContent = "updated " + new Date().toLocaleTimeString();
    } catch (error) {
      updated.textContent = "not updated (" + error.message + "), retrying";
    }
  }
  setInterval(refresh, every);
})();
