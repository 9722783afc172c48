// `switchboard deliveries`: the outbox, newest first, filtered by subscription, status and
// event type; `--attempts` shows every attempt under its delivery.
import type { AttemptRow, DeliveryRow } from '../../store/outbox-repo.js';
import type { DeliveryStatus } from '../../store/tables.js';
import { intOption, jsonOption, limitOption, oneOf, storeOptions, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';
import { retarget } from './retarget.js';

const STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'failed'];
/** How much of a receiver's answer an attempt line shows. */
const RESPONSE_EXCERPT = 80;

export const options = {
  ...storeOptions,
  subscription: { type: 'string', value: 'ID' },
  status: { type: 'string', value: STATUSES.join('|') },
  type: { type: 'string', value: 'TYPE' },
  ...limitOption,
  ...jsonOption,
  attempts: { type: 'boolean' },
  /** Moves the subscription's pending deliveries to its current url (retarget.ts). */
  retarget: { type: 'string', value: 'SUBSCRIPTION' },
} as const;

export async function deliveries(values: OptionValues<typeof options>): Promise<number> {
  const retargeted = values.retarget;
  if (retargeted !== undefined)
    return withStore(values, async (store, loaded) => {
      for (const line of await retarget(store, loaded.config, retargeted)) console.log(line);
      return 0;
    });
  const status = oneOf('status', STATUSES, values.status);
  const limit = intOption(values, 'limit') ?? 50;
  return withStore(values, async (store) => {
    const rows = await store.outbox.list({ subscriptionId: values.subscription, status, type: values.type, limit });
    for (const row of rows) {
      const attempts = values.attempts ? await store.outbox.attempts(row.id) : undefined;
      if (values.json) {
        console.log(JSON.stringify(attempts ? { ...row, attempt_log: attempts } : row));
        continue;
      }
      console.log(deliveryLine(row));
      if (attempts) {
        for (const attempt of attempts) console.log(attemptLine(attempt));
        if (attempts.length === 0) console.log('    no attempts yet');
      }
    }
    if (rows.length === 0 && !values.json)
      console.log('no deliveries recorded' + (values.subscription || status || values.type ? ' that match' : ''));
    return 0;
  });
}

function deliveryLine(row: DeliveryRow & { type: string }): string {
  const next = row.status === 'pending' && row.next_attempt_at !== null ? `  next ${iso(row.next_attempt_at)}` : '';
  const tries = `${row.attempts} attempt${Number(row.attempts) === 1 ? '' : 's'}`;
  return `${row.id}  ${iso(row.created_at)}  ${row.type}  ${row.subscription_id}  ${row.status.padEnd(9)}  ${tries}  last: ${lastOutcome(row)}${next}  ${row.url}`;
}

function lastOutcome(row: DeliveryRow): string {
  if (row.last_status === null) return row.last_error ?? '-';
  const error = row.last_error && row.last_error !== `answered ${row.last_status}` ? ` (${row.last_error})` : '';
  return `${row.last_status}${error}`;
}

function attemptLine(attempt: AttemptRow): string {
  const outcome = attempt.status_code !== null ? String(attempt.status_code) : `error: ${attempt.error ?? 'unknown'}`;
  const response = attempt.response ? `  ${excerpt(attempt.response)}` : '';
  return `    #${attempt.attempt}  ${iso(attempt.started_at)}  ${outcome}  ${Math.round(Number(attempt.latency_ms))}ms${response}`;
}

/** The first characters of an answer on one line: control characters escaped, cut with an ellipsis. */
export function excerpt(text: string, max = RESPONSE_EXCERPT): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(
    // oxlint-disable-next-line no-control-regex -- control characters are what this escapes
    /[\\\u0000-\u001f\u007f]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}${text.length > max ? '…' : ''}"`;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function iso(ms: number): string {
  return new Date(Number(ms)).toISOString();
}
