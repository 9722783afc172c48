// The admin page's stylesheet and script, served by the admin listener itself (no CDN, no
// build step of their own). The script: copy buttons, action buttons that POST to the admin
// API with the page's cookie, and the live stream, on whose events the page fetches its
// main part again (the server renders it, so page and API never disagree).

export const PAGE_SCRIPT = String.raw`'use strict';
(function () {
  var main = document.getElementById('main');
  var dot = document.getElementById('live');
  var timer = null;

  function refresh() {
    if (timer) return;
    timer = setTimeout(function () {
      timer = null;
      var url = location.pathname + (location.search ? location.search + '&' : '?') + 'fragment=1';
      fetch(url, { credentials: 'same-origin' }).then(function (res) {
        if (res.ok) return res.text().then(function (html) {
          main.innerHTML = html;
          // How many times the page was brought up to date (tests wait on it).
          document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
        });
      }).catch(function () {});
    }, 150);
  }

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {}),
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (answer) {
        if (!res.ok) alert(answer.message || 'The engine answered ' + res.status);
        refresh();
      });
    });
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button');
    if (!button) return;
    if (button.dataset.copy !== undefined) {
      event.preventDefault();
      var text = button.dataset.copy;
      var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, function () {});
      else {
        var area = document.createElement('textarea');
        area.value = text;
        document.body.appendChild(area);
        area.select();
        try { document.execCommand('copy'); done(); } catch (e) {}
        area.remove();
      }
    } else if (button.dataset.post) {
      event.preventDefault();
      button.disabled = true;
      post(button.dataset.post).finally(function () { button.disabled = false; });
    }
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute('data-recover')) return;
    event.preventDefault();
    post('/admin/v1/deliveries/recover', { since: form.elements.since.value });
  });

  if (document.body.dataset.live === '1' && window.EventSource) {
    var stream = new EventSource('/admin/v1/stream?topics=requests,runs,deliveries,state');
    ['requests', 'runs', 'deliveries', 'state'].forEach(function (topic) {
      stream.addEventListener(topic, refresh);
    });
    // What happened between the page's render and the stream's start is fetched once it is open.
    stream.onopen = function () { if (dot) dot.classList.add('on'); refresh(); };
    stream.onerror = function () { if (dot) dot.classList.remove('on'); };
  }
})();
`;

export const PAGE_CSS = String.raw`:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #667; --line: #d8dde3; --ok: #1a7f37; --bad: #cf222e; --accent: #0b62d6; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --bg: #121417; --muted: #9aa3ad; --line: #2d333b; --ok: #3fb950; --bad: #f85149; --accent: #58a6ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
header form { margin: 0 0 0 auto; }
.brand { font-weight: 700; color: var(--fg); text-decoration: none; }
.who { color: var(--muted); }
.live { color: var(--muted); font-size: .8rem; }
.live.on { color: var(--ok); }
main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; min-width: 36rem; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
small, .status, .empty { color: var(--muted); }
code { font: .85rem ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
td.url { max-width: 28rem; }
button { font: inherit; padding: .4rem .8rem; min-height: 2.2rem; border-radius: .4rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.quiet { background: transparent; color: var(--accent); }
button:disabled { opacity: .5; }
input { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: .4rem; background: var(--bg); color: var(--fg); }
.login { max-width: 24rem; margin: 3rem auto; display: grid; gap: .8rem; }
.login label { display: grid; gap: .3rem; }
.problem, .run-failed, .state-disabled, .step-failed .step-head { color: var(--bad); }
.run-succeeded, .state-enabled, .delivery-succeeded { color: var(--ok); }
.delivery-failed { color: var(--bad); }
.badge { font-size: .75rem; border: 1px solid var(--line); border-radius: 1rem; padding: 0 .4rem; color: var(--muted); }
.recover { margin: .5rem 0 1rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.timeline { list-style: none; padding: 0; }
.step { margin: .6rem 0; }
.step-detail { font-size: .85rem; color: var(--muted); margin-top: .2rem; display: flex; flex-wrap: wrap; gap: .2rem 1rem; }
.conditions { margin: 0; padding-left: 1.1rem; }
.holds { color: var(--ok); }
.bar-track { background: var(--line); height: .6rem; border-radius: .3rem; margin-top: .25rem; }
.bar { background: var(--ok); height: 100%; border-radius: .3rem; min-width: 2px; }
.step-failed .bar { background: var(--bad); }
pre.input { background: color-mix(in srgb, var(--line) 35%, transparent); padding: .8rem; overflow-x: auto; border-radius: .4rem; }
`;
