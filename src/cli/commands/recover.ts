// `switchboard recover --since TIME`: queues again every failed delivery created since TIME
// (after an outage at the receiver, say). TIME is ISO 8601 or a duration ago (`2h`, `30m`).
import { parseSince } from '../../views/since.js';
import { storeOptions, UsageError, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = { ...storeOptions, since: { type: 'string', value: 'TIME' } } as const;

export async function recover(values: OptionValues<typeof options>): Promise<number> {
  const now = Date.now();
  const since = sinceOption(values.since, now);
  return withStore(values, async (store) => {
    const count = await store.outbox.recover(since, now);
    console.log(
      `${count} failed deliver${count === 1 ? 'y' : 'ies'} created since ${new Date(since).toISOString()} queued again`,
    );
    return 0;
  });
}

export function sinceOption(text: string | undefined, now: number): number {
  const example = 'for example --since 2h, --since 30m or --since 2026-11-25T10:00:00Z';
  if (text === undefined) throw new UsageError(`recover needs --since TIME: an ISO 8601 time or a duration ago; ${example}`);
  const at = parseSince(text, now);
  if (at === undefined) throw new UsageError(`--since must be an ISO 8601 time or a duration ago, not "${text}"; ${example}`);
  return at;
}
