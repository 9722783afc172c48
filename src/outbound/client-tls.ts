// A subscription's client certificate for mTLS: its PEM files (relative to the config
// directory) and the material read from them once, when the engine starts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SubscriptionConfig } from '../config/schema.js';

/** What a TLS connection to the subscriber presents (cert, key) and trusts (ca, instead of the public roots). */
export interface ClientTls {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

export type ClientTlsFile = keyof NonNullable<SubscriptionConfig['tls']>;

/** The subscription's TLS files as absolute paths, by name; empty without `tls`. */
export function clientTlsFiles(subscription: SubscriptionConfig, configDir: string): [ClientTlsFile, string][] {
  const tls = subscription.tls;
  if (!tls) return [];
  const files: [ClientTlsFile, string][] = [
    ['cert', resolve(configDir, tls.cert)],
    ['key', resolve(configDir, tls.key)],
  ];
  if (tls.ca !== undefined) files.push(['ca', resolve(configDir, tls.ca)]);
  return files;
}

/** A client certificate file could not be read when the engine started (`check` reports it first). */
export class ClientTlsUnreadable extends Error {
  readonly code = 'client_tls_unreadable';
  constructor(subscriptionId: string, name: ClientTlsFile, file: string, cause: unknown) {
    const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    super(`subscription ${subscriptionId}: tls.${name} ${file} ${why}; give a PEM file, relative to the config directory`, {
      cause,
    });
    this.name = 'ClientTlsUnreadable';
  }
}

/** Reads every subscription's client certificate; throws ClientTlsUnreadable naming the file. */
export function loadClientTls(subscriptions: readonly SubscriptionConfig[], configDir: string): Map<string, ClientTls> {
  const loaded = new Map<string, ClientTls>();
  for (const subscription of subscriptions) {
    const files = clientTlsFiles(subscription, configDir);
    if (files.length === 0) continue;
    const read = Object.fromEntries(
      files.map(([name, file]) => {
        try {
          return [name, readFileSync(file)];
        } catch (error) {
          throw new ClientTlsUnreadable(subscription.id, name, file, error);
        }
      }),
    ) as Record<ClientTlsFile, Buffer | undefined>;
    loaded.set(subscription.id, { cert: read.cert!, key: read.key!, ...(read.ca ? { ca: read.ca } : {}) });
  }
  return loaded;
}
