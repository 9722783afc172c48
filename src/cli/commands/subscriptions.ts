// `switchboard subscriptions`: every subscription, where it listens, what it hears, how it
// delivers, its signing secrets and whether it is disabled. It prints secrets on purpose:
// it is the operator's tool. `--enable ID` re-enables a subscription the engine disabled.
import { loadConfig } from '../../config/load-config.js';
import type { SubscriptionConfig } from '../../config/schema.js';
import { subscriptionSecrets } from '../../outbound/outbound-service.js';
import type { Store } from '../../store/store.js';
import type { SubscriptionState } from '../../store/outbox-repo.js';
import { configDirOf, storeOptions, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = { ...storeOptions, enable: { type: 'string', value: 'ID' } } as const;

export async function subscriptions(values: OptionValues<typeof options>): Promise<number> {
  const loaded = loadConfig(configDirOf(values));
  const { config } = loaded;
  if (values.enable !== undefined && !config.subscriptions.some((s) => s.id === values.enable)) {
    const ids = config.subscriptions.map((s) => s.id);
    console.error(
      `switchboard: no subscription "${values.enable}" in the config; ${ids.length > 0 ? `subscriptions: ${ids.join(', ')}` : 'it has no subscriptions'}`,
    );
    return 1;
  }
  return withStore(
    values,
    async (store) => {
      const states = new Map((await store.outbox.subscriptionStates()).map((s) => [s.subscription_id, s]));
      if (values.enable !== undefined) return await enable(store, values.enable, states.get(values.enable));
      if (config.subscriptions.length === 0) {
        console.log('no subscriptions in the config');
        return 0;
      }
      const secrets = await subscriptionSecrets(config, store);
      config.subscriptions.forEach((subscription, i) => {
        if (i > 0) console.log('');
        describe(subscription, secrets.get(subscription.id) ?? [], states.get(subscription.id));
      });
      return 0;
    },
    loaded,
  );
}

async function enable(store: Store, id: string, state: SubscriptionState | undefined): Promise<number> {
  if (!state || state.disabled_at === null) {
    console.log(`${id} is not disabled; nothing to do`);
    return 0;
  }
  await store.outbox.setDisabled(id, null, null);
  console.log(
    `${id} enabled (it was disabled since ${iso(state.disabled_at)}: ${state.disabled_reason ?? 'no reason recorded'})`,
  );
  console.log('a running engine sends to it again within a second');
  return 0;
}

function describe(subscription: SubscriptionConfig, secrets: readonly string[], state: SubscriptionState | undefined): void {
  const listens = subscription.zone
    ? `zone ${subscription.zone}`
    : subscription.system
      ? `system ${subscription.system}`
      : 'everything';
  const batch = subscription.batch
    ? `, batches of up to ${subscription.batch.max_events} (waits ${subscription.batch.max_wait}ms)`
    : '';
  const source = subscription.secret === undefined ? 'generated' : 'configured';
  console.log(`${subscription.id}\t${subscription.url}`);
  console.log(`  listens:  ${listens}`);
  console.log(`  events:   ${subscription.events.join(', ')}`);
  console.log(`  mode:     ${subscription.mode}${batch}`);
  for (const secret of secrets) console.log(`  secret:   ${secret}  (${source})`);
  const disabled = state?.disabled_at ?? null;
  console.log(
    `  state:    ${disabled === null ? 'enabled' : `disabled since ${iso(disabled)} (${state?.disabled_reason ?? 'no reason recorded'})`}`,
  );
}

function iso(ms: number): string {
  return new Date(Number(ms)).toISOString();
}
