// Follows a building audit pack: polls its JSON every second, updates the progress, and reloads the page
// (which then shows the downloads or the error) once the build has ended. Served from 'self' (CSP).
(function () {
  var el = document.getElementById('pack');
  var url = el && el.getAttribute('data-poll');
  if (!url) return;
  var set = function (id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  };
  var tick = function () {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (pack) {
        if (!pack) return setTimeout(tick, 3000);
        set('pack-status', pack.status);
        set('pack-stage', pack.stage || '');
        set('pack-percent', String(pack.progress));
        var bar = document.getElementById('pack-progress');
        if (bar) bar.value = pack.progress;
        el.setAttribute('data-status', pack.status);
        if (pack.status === 'done' || pack.status === 'failed') window.location.reload();
        else setTimeout(tick, 1000);
      })
      .catch(function () {
        setTimeout(tick, 3000);
      });
  };
  setTimeout(tick, 1000);
})();
