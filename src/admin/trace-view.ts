// One run's trace as the admin API and page show it: why it started (its cause, the request,
// the debounce and mode that let it through, its compare conditions' values then), the
// config generation it ran under, its trigger.fired event's deliveries, and each action in order with its arguments (resolved,
// or the config's own when they were literal), result or error, start, duration and the
// deliveries its event made.
import type { TriggerConfig } from '../config/schema.js';
import { redact } from '../redact.js';
import type { RunRow } from '../store/runs-repo.js';
import { parseDetail, parseTrace } from '../triggers/run-trace.js';
import { iso, type AdminApiDeps } from './admin-api.js';

export async function traceOf(run: RunRow, deps: AdminApiDeps) {
  const trace = parseTrace(run.trace);
  const hash = trace.generation ?? (await deps.store.configs.ofRun(run.id));
  const trigger = await triggerOf(run.trigger_id, hash, deps);
  const actions = await deps.store.runs.actions(run.id);
  const details = actions.map((a) => parseDetail(a.detail));
  const events = [...(trace.fired ? [trace.fired] : []), ...details.flatMap((d) => (d.event ? [d.event] : []))];
  const deliveries = await deps.store.outbox.forEvents(events);
  const created = Number(run.created_at);
  const deliveriesOf = (event: string | undefined) =>
    deliveries
      .filter((d) => d.event_id === event)
      .map((d) => ({ id: d.id, subscription: d.subscription_id, status: d.status, attempts: d.attempts }));
  const firstStart = actions.length > 0 ? Math.min(...actions.map((a) => Number(a.started_at))) : undefined;
  return {
    cause: trace.cause ?? (run.request_id ? 'webhook' : 'unknown'),
    request: run.request_id,
    replay: trace.replay ?? null,
    decision: decisionOf(trigger, firstStart === undefined ? undefined : firstStart - created),
    conditions: trace.conditions ?? [],
    generation: hash ? { hash, url: `/admin/v1/config/generations/${hash}` } : null,
    fired: trace.fired ? { event: trace.fired, deliveries: deliveriesOf(trace.fired) } : null,
    actions: actions.map((a, i) => {
      const detail = details[i]!;
      const configured = trigger?.actions[a.position];
      return {
        position: a.position,
        kind: a.kind,
        target: a.target,
        status: a.status,
        error: a.error,
        started_at: iso(a.started_at),
        offset_ms: Number(a.started_at) - created,
        duration_ms: Number(a.finished_at) - Number(a.started_at),
        args: detail.args !== undefined ? detail.args : configured ? redact(literalArgs(configured)) : null,
        args_from: detail.args !== undefined ? 'resolved' : configured ? 'config' : null,
        result: detail.result ?? null,
        event: detail.event ?? null,
        deliveries: deliveriesOf(detail.event),
      };
    }),
  };
}

/** The trigger as the run's generation had it: the serving one's, or read back from the store. */
async function triggerOf(triggerId: string, hash: string | undefined, deps: AdminApiDeps): Promise<TriggerConfig | undefined> {
  if (hash === undefined || hash === deps.live.current.hash) return deps.live.current.triggers.get(triggerId);
  try {
    return (await deps.configs.get(hash))?.triggers.find((t) => t.id === triggerId);
  } catch {
    return undefined; // a stored generation that no longer parses: the trace shows what the run recorded
  }
}

function literalArgs(action: TriggerConfig['actions'][number]): unknown {
  switch (action.kind) {
    case 'call':
      return action.args;
    case 'emit':
      return action.data;
    case 'delay':
      return { ms: action.delay };
    case 'email':
      return { to: action.email.to, cc: action.email.cc, subject: action.email.subject };
  }
}

/** What let the fire through: its debounce window and its mode, and how long it waited for a run slot. */
function decisionOf(trigger: TriggerConfig | undefined, waitedMs: number | undefined): string {
  if (!trigger) return 'fired (its trigger is no longer in the config)';
  const debounce =
    trigger.debounce > 0 ? `outside its ${trigger.debounce} ms debounce window (${trigger.debounce_mode})` : 'no debounce';
  const waited =
    trigger.mode === 'queued' && waitedMs !== undefined && waitedMs > 0 ? `, waited ${waitedMs} ms in the queue` : '';
  return `fired: ${debounce}; mode ${trigger.mode}${waited}`;
}
