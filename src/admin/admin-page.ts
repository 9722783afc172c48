// The admin web page at the admin listener's `/`: a login form that keeps the token in a
// same-site, http-only cookie; then instances with their state and copy-able URLs, recent
// requests, runs with a trace view, and deliveries (failed ones first) with Redeliver and Recover-since,
// rendered on the server and refreshed live from the stream by a small script (page.js).
// Usable on a phone: tables scroll sideways, buttons are large enough to tap.
import type Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { scopeCovers, type AdminTokens, type Caller } from './admin-tokens.js';
import type { AdminApiDeps } from './admin-api.js';
import { SESSION_COOKIE } from './admin-app.js';
import { deliveryView } from './delivery-routes.js';
import { instanceList } from './instance-routes.js';
import { PAGE_CSS, PAGE_SCRIPT } from './page-assets.js';
import { esc, pageShell, when } from './page-html.js';
import { requestView, runDetail, runView } from './run-routes.js';
import { requestViewer } from '../views/request-views.js';

export interface AdminPageDeps {
  api: AdminApiDeps;
  tokens: AdminTokens;
  identify(ctx: Context): Caller | undefined;
}

const ROWS = 20;

export function mountAdminPage(router: Router, deps: AdminPageDeps): void {
  router.get('/page.js', (ctx) => {
    ctx.type = 'text/javascript';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = PAGE_SCRIPT;
  });
  router.get('/page.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = PAGE_CSS;
  });
  router.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
  });
  // Pages are never cached: going back shows the state as it is now.
  router.use(async (ctx, next) => {
    await next();
    if (ctx.type === 'text/html') ctx.set('Cache-Control', 'no-store');
  });
  router.get('/', async (ctx) => {
    const caller = deps.identify(ctx);
    if (!caller) return loginPage(ctx);
    const main = await dashboard(deps.api, caller);
    ctx.type = 'html';
    ctx.body = ctx.query.fragment === '1' ? main : pageShell('Admin', main, { live: true, header: headerOf(caller) });
  });
  router.get('/runs/:id', async (ctx) => {
    const caller = deps.identify(ctx);
    if (!caller) return loginPage(ctx);
    const run = await deps.api.store.runs.get(ctx.params.id!);
    ctx.type = 'html';
    if (!run) {
      ctx.status = 404;
      ctx.body = pageShell('Run not found', `<p>No run ${esc(ctx.params.id)} (runs are kept for server.retention).</p>`, {
        live: false,
        header: headerOf(caller),
      });
      return;
    }
    const main = traceView(await runDetail(run, deps.api));
    ctx.body = ctx.query.fragment === '1' ? main : pageShell(`Run ${run.id}`, main, { live: true, header: headerOf(caller) });
  });
  router.post('/login', async (ctx) => {
    const form = new URLSearchParams(await getRawBody(ctx.req, { limit: 4096, encoding: 'utf8' }).catch(() => ''));
    const token = form.get('token')?.trim() ?? '';
    const caller = token ? deps.tokens.identify(token) : undefined;
    (ctx.state as { caller?: Caller }).caller = caller;
    if (!caller) {
      ctx.status = 401;
      return loginPage(ctx, 'That token is not one of the admin tokens (admin.tokens in the config).');
    }
    ctx.cookies.set(SESSION_COOKIE, encodeURIComponent(token), {
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.secure,
      path: '/',
      overwrite: true,
    });
    ctx.redirect('/');
    ctx.status = 303;
  });
  router.post('/logout', (ctx) => {
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0, overwrite: true });
    ctx.redirect('/');
    ctx.status = 303;
  });
}

function loginPage(ctx: Context, problem?: string): void {
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = pageShell(
    'Log in',
    `<form class="login" method="post" action="/login">
<h1>Log in</h1>
<p>Paste an admin token (one of <code>admin.tokens</code> in the config).</p>
${problem ? `<p class="problem" role="alert">${esc(problem)}</p>` : ''}
<label>Token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button>
</form>`,
    { live: false },
  );
}

function headerOf(caller: Caller): string {
  return `<span class="who">${esc(caller.name)} (${esc(caller.scope)})</span><span id="live" class="live" title="live updates">●</span>
<form method="post" action="/logout"><button class="quiet" type="submit">Log out</button></form>`;
}

async function dashboard(api: AdminApiDeps, caller: Caller): Promise<string> {
  const operate = scopeCovers(caller.scope, 'operate');
  const { number, hash, config } = api.live.current;
  const instances = await instanceList(api, caller);
  const viewRequest = requestViewer(config);
  const requests = (await api.store.requests.list({ limit: ROWS })).map((r) => requestView(viewRequest(r)));
  const runs = (await api.store.runs.list({ limit: ROWS })).map(runView);
  // Failed deliveries first (what needs a hand), then the latest of the others.
  const failed = await api.store.outbox.list({ status: 'failed', limit: ROWS });
  const latest = await api.store.outbox.list({ limit: ROWS });
  const deliveries = [...failed, ...latest.filter((d) => d.status !== 'failed')]
    .slice(0, ROWS)
    .map((d) => ({ ...deliveryView(d), type: d.type }));
  return `<p class="status">Node <code>${esc(api.node)}</code> · config generation ${number} (<code>${esc(hash)}</code>) · ${esc(api.storeKind)}</p>
<section id="instances"><h2>Instances</h2>
<div class="scroll"><table>
<thead><tr><th>Instance</th><th>State</th><th>Fired</th><th>Last fired</th><th>Errors</th><th>URL</th>${operate ? '<th></th>' : ''}</tr></thead>
<tbody>${instances
    .map((i) => {
      const state = !i.enabled ? 'disabled' : i.reachable ? 'enabled' : 'no webhook';
      const overridden = i.overrides.some((o) => o.effect === 'shadows')
        ? ' <span class="badge" title="an override shadows the YAML">override</span>'
        : '';
      const toggle = operate
        ? `<td><button data-post="/admin/v1/instances/${esc(encodeURIComponent(i.id))}/${i.enabled ? 'disable' : 'enable'}">${i.enabled ? 'Disable' : 'Enable'}</button></td>`
        : '';
      return `<tr data-instance="${esc(i.id)}"><td><strong>${esc(i.id)}</strong><br><small>${esc(i.trigger)} on ${esc(i.system)}</small></td>
<td class="state-${state.replace(' ', '-')}">${state}${overridden}${i.triggered === null ? '' : `<br><small>conditions ${i.triggered ? 'hold' : 'do not hold'}</small>`}</td>
<td class="count">${i.trigger_count}</td><td>${when(i.last_fired_at)}</td><td>${i.action_errors + i.comparison_errors}</td>
<td class="url"><code>${esc(i.url)}</code> <button class="quiet" data-copy="${esc(i.url)}">Copy</button></td>${toggle}</tr>`;
    })
    .join('\n')}</tbody></table></div></section>
<section id="requests"><h2>Recent requests</h2>
${
  requests.length === 0
    ? '<p class="empty">No requests yet.</p>'
    : `<div class="scroll"><table>
<thead><tr><th>Received</th><th>Instance</th><th>Method</th><th>Status</th><th>Outcome</th><th>Run</th></tr></thead>
<tbody>${requests
        .map(
          (r) => `<tr><td>${when(r.received_at)}</td><td>${esc(r.instance)}</td><td>${esc(r.method)}</td><td>${r.status}</td>
<td title="${esc(r.reason)}">${esc(r.outcome)}</td><td>${r.run ? `<a href="/runs/${esc(encodeURIComponent(r.run))}">${esc(r.run)}</a>` : '–'}</td></tr>`,
        )
        .join('\n')}</tbody></table></div>`
}</section>
<section id="runs"><h2>Runs</h2>
${
  runs.length === 0
    ? '<p class="empty">No runs yet.</p>'
    : `<div class="scroll"><table>
<thead><tr><th>Run</th><th>Instance</th><th>Started</th><th>Status</th><th>Took</th></tr></thead>
<tbody>${runs
        .map(
          (
            r,
          ) => `<tr><td><a href="/runs/${esc(encodeURIComponent(r.id))}">${esc(r.id)}</a></td><td>${esc(r.instance)}</td><td>${when(r.created_at)}</td>
<td class="run-${esc(r.status)}">${esc(r.status)}${r.error ? `<br><small>${esc(r.error)}</small>` : ''}</td><td>${r.duration_ms === null ? '–' : `${r.duration_ms} ms`}</td></tr>`,
        )
        .join('\n')}</tbody></table></div>`
}</section>
<section id="deliveries"><h2>Deliveries</h2>
${operate ? `<form class="recover" data-recover><label>Recover every failed delivery since <input name="since" value="1h" size="8" aria-label="since"></label> <button type="submit">Recover</button></form>` : ''}
${
  deliveries.length === 0
    ? '<p class="empty">No deliveries yet.</p>'
    : `<div class="scroll"><table>
<thead><tr><th>Delivery</th><th>Subscription</th><th>Event</th><th>Status</th><th>Attempts</th><th>Last answer</th>${operate ? '<th></th>' : ''}</tr></thead>
<tbody>${deliveries
        .map(
          (
            d,
          ) => `<tr data-delivery="${esc(d.id)}"><td>${esc(d.id)}<br><small>${when(d.created_at)}</small></td><td>${esc(d.subscription)}<br><small>${esc(d.url)}</small></td>
<td>${esc(d.type)}</td><td class="delivery-${esc(d.status)}">${esc(d.status)}</td><td>${d.attempts}</td><td>${d.last_status ?? ''} ${esc(d.last_error)}</td>${
            operate
              ? `<td>${d.status === 'pending' ? '' : `<button data-post="/admin/v1/deliveries/${esc(encodeURIComponent(d.id))}/redeliver">Redeliver</button>`}</td>`
              : ''
          }</tr>`,
        )
        .join('\n')}</tbody></table></div>`
}</section>`;
}

/** One run as a timeline: why it started, then each action a bar from its start to its end on the run's own time scale, with what it was called with and what came of it. */
function traceView(run: Awaited<ReturnType<typeof runDetail>>): string {
  const { trace } = run;
  const ends = trace.actions.map((a) => a.offset_ms + a.duration_ms);
  const total = Math.max(1, run.duration_ms ?? 0, ...ends);
  const percent = (ms: number) => Math.min(100, Math.max(0, (ms / total) * 100)).toFixed(2);
  const json = (value: unknown) => `<code>${esc(JSON.stringify(value))}</code>`;
  const conditions =
    trace.conditions.length === 0
      ? ''
      : `<dt>Conditions</dt><dd><ul class="conditions">${trace.conditions
          .map(
            (c) =>
              `<li class="${c.holds ? 'holds' : 'problem'}">${json(c.left)} ${esc(c.op)} ${json(c.right)}: ${c.holds ? 'held' : 'did not hold'}</li>`,
          )
          .join('')}</ul></dd>`;
  return `<p><a href="/">← Back</a></p>
<h1>Run <code>${esc(run.id)}</code></h1>
<dl class="facts"><dt>Instance</dt><dd>${esc(run.instance)} (${esc(run.trigger)} on ${esc(run.system)})</dd>
<dt>Status</dt><dd class="run-${esc(run.status)}" id="run-status">${esc(run.status)}</dd>
<dt>Started</dt><dd>${when(run.created_at)}</dd><dt>Took</dt><dd>${run.duration_ms === null ? 'still running' : `${run.duration_ms} ms`}</dd>
<dt>Cause</dt><dd id="run-cause">${esc(trace.cause)}${trace.request ? ` · request <code>${esc(trace.request)}</code>` : ''}${
    trace.replay ? ` · replay of <code>${esc(trace.replay.request)}</code> with the ${esc(trace.replay.config)} config` : ''
  }</dd>
<dt>Decision</dt><dd>${esc(trace.decision)}</dd>${conditions}
<dt>Config</dt><dd>${trace.generation ? `generation <code>${esc(trace.generation.hash)}</code>` : 'not kept'}</dd>${
    trace.fired
      ? `<dt>trigger.fired</dt><dd><code>${esc(trace.fired.event)}</code>${trace.fired.deliveries.map((d) => ` → ${esc(d.subscription)}: ${esc(d.status)}`).join(',')}</dd>`
      : ''
  }
${run.error ? `<dt>Error</dt><dd class="problem">${esc(run.error)}</dd>` : ''}</dl>
<h2>Timeline</h2>
${
  trace.actions.length === 0
    ? '<p class="empty">No action has finished yet.</p>'
    : `<ol class="timeline">${trace.actions
        .map((a) => {
          const deliveries = a.deliveries.map((d) => `${esc(d.subscription)}: ${esc(d.status)}`).join(', ');
          return `<li class="step step-${esc(a.status)}"><div class="step-head"><strong>#${a.position + 1} ${esc(a.kind)}</strong> <code>${esc(a.target)}</code> · ${esc(a.status)} · +${a.offset_ms} ms, ${a.duration_ms} ms${a.error ? ` · <span class="problem">${esc(a.error)}</span>` : ''}</div>
<div class="bar-track"><div class="bar" style="margin-left:${percent(a.offset_ms)}%;width:${percent(Math.max(a.duration_ms, total / 200))}%"></div></div>
<div class="step-detail">${a.args === null ? '' : `<span>args ${json(a.args)}${a.args_from === 'config' ? ' <small>(as configured)</small>' : ''}</span>`}${
            a.result === null ? '' : ` <span>result ${json(a.result)}</span>`
          }${a.event ? ` <span>event <code>${esc(a.event)}</code>${deliveries ? ` → ${deliveries}` : ''}</span>` : ''}</div></li>`;
        })
        .join('\n')}</ol>`
}
<h2>Input</h2><pre class="input">${esc(JSON.stringify(run.input, null, 2))}</pre>`;
}
