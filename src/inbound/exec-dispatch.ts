// Hands a request to a module's webhook-capable method (`exec`) and turns its answer
// into the response. A throw becomes 500 and a missed deadline 504, neither with internals.
import type { Clock } from '../clock.js';
import type { WebhookRequest, WebhookResponse } from '../drivers/api.js';
import type { ModuleInstance } from '../drivers/module-instance.js';
import { ModuleFailed, ModuleTimeout } from '../errors.js';
import type { Logger } from '../logger.js';

export const DEFAULT_EXEC_TIMEOUT_MS = 10_000;

export async function dispatchExec(
  module: ModuleInstance,
  method: string,
  request: WebhookRequest,
  deps: { clock: Clock; log: Logger },
): Promise<WebhookResponse | void> {
  const target = `${module.address}.${method}`;
  const timeoutMs = module.webhookTimeoutMs(method) ?? DEFAULT_EXEC_TIMEOUT_MS;
  let cancel = () => {};
  const deadline = new Promise<never>((_, reject) => {
    cancel = deps.clock.setTimeout(() => reject(new ModuleTimeout(target, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(() => module.handleWebhook(method, request))
        .catch((error: unknown) => {
          deps.log.error(
            { module: module.address, method, system: module.systemId, reason: (error as Error).message },
            'exec method threw',
          );
          throw new ModuleFailed(target, error);
        }),
      deadline,
    ]);
  } catch (error) {
    if (error instanceof ModuleTimeout) deps.log.error({ module: module.address, method, timeoutMs }, 'exec method timed out');
    throw error;
  } finally {
    cancel();
  }
}
