// `switchboard redeliver ID`: queues one delivery again, whatever its state; the event id
// (the receiver's idempotency key) stays the same. A running engine's worker looks at the
// store at least every second, so it picks the delivery up without a restart.
import { storeOptions, UsageError, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = storeOptions;

export async function redeliver(values: OptionValues<typeof options>, positionals: readonly string[] = []): Promise<number> {
  const [id, ...extra] = positionals;
  if (!id)
    throw new UsageError(
      'redeliver needs a delivery id: switchboard redeliver DELIVERY_ID (`switchboard deliveries` lists them)',
    );
  if (extra.length > 0) throw new UsageError(`redeliver takes one delivery id, not ${positionals.length}`);
  return withStore(values, async (store, loaded) => {
    const before = await store.outbox.get(id);
    if (!before || !(await store.outbox.redeliver(id, Date.now()))) {
      console.error(`switchboard: no delivery ${id}`);
      return 1;
    }
    console.log(
      `${id} queued again (was ${before.status} after ${before.attempts} attempt${Number(before.attempts) === 1 ? '' : 's'}); it goes to ${before.url} as soon as the engine runs`,
    );
    const subscription = loaded.config.subscriptions.find((s) => s.id === before.subscription_id);
    const state = (await store.outbox.subscriptionStates()).find((s) => s.subscription_id === before.subscription_id);
    if (!subscription)
      console.log(`note: subscription ${before.subscription_id} is no longer in the config, so the attempt will fail`);
    else if (state?.disabled_at != null)
      console.log(
        `note: subscription ${before.subscription_id} is disabled, so the attempt will fail; \`switchboard subscriptions --enable ${before.subscription_id}\` and restart the engine first`,
      );
    return 0;
  });
}
