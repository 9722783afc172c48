// `switchboard deliveries --retarget SUBSCRIPTION`: a delivery keeps the url it was made
// with, so after a subscription's url changes its queued deliveries still go to the old
// one; this moves them to the url the config gives now, due at once. A running engine looks
// at the store at least every second and sends them without a restart.
import type { Config } from '../../config/schema.js';
import { shortList } from '../../config/short-list.js';
import type { Store } from '../../store/store.js';
import { UsageError } from '../options.js';

/** Moves the subscription's pending deliveries to its current url; returns the lines to print. */
export async function retarget(
  store: Pick<Store, 'outbox' | 'commit'>,
  config: Config,
  subscriptionId: string,
  now = Date.now(),
): Promise<string[]> {
  const subscription = config.subscriptions.find((s) => s.id === subscriptionId);
  if (!subscription)
    throw new UsageError(
      `--retarget: no subscription "${subscriptionId}" in the config; subscriptions: ${shortList(config.subscriptions.map((s) => s.id))}`,
    );
  const { id, url } = subscription;
  const pending = await store.outbox.pendingUrls(id);
  const moving = pending.filter((p) => p.url !== url);
  const already = pending.find((p) => p.url === url)?.count ?? 0;
  if (moving.length === 0)
    return [
      already === 0
        ? `${id}: no pending deliveries, nothing to move`
        : `${id}: ${counted(already)} already ${already === 1 ? 'goes' : 'go'} to ${url}, nothing to move`,
    ];
  const disabled = (await store.outbox.subscriptionStates()).some((s) => s.subscription_id === id && s.disabled_at !== null);
  // A disabled subscription's deliveries fail when they fall due: they keep their schedule, so enabling it in time sends them.
  await store.commit([
    { kind: 'deliveries_retargeted', subscriptionId: id, from: moving.map((p) => p.url), to: url, at: disabled ? null : now },
  ]);
  const moved = moving.reduce((sum, p) => sum + p.count, 0);
  return [
    `${id}: moved ${counted(moved)} to ${url}${disabled ? '' : ', due now'}`,
    ...moving.map((p) => `  ${p.count} from ${p.url}`),
    ...(already > 0 ? [`  (${already} already went there)`] : []),
    disabled
      ? `note: ${id} is disabled, so they fail when they fall due; \`switchboard subscriptions --enable ${id}\` to send them`
      : 'a running engine sends them within a second; one started before the url changed still queues new events to the old url until it restarts',
  ];
}

function counted(n: number): string {
  return `${n} pending deliver${n === 1 ? 'y' : 'ies'}`;
}
