// What `check` (and `start`, before anything runs) finds wrong with the files subscriptions
// name: each client certificate, key and CA must be a readable PEM file, and together they
// must make a TLS context (the key must match the certificate).
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { LoadedConfig } from '../config/load-config.js';
import type { Problem } from '../config/problems.js';
import { clientTlsFiles } from './client-tls.js';

export function checkSubscriptionFiles(loaded: LoadedConfig): Problem[] {
  const problems: Problem[] = [];
  loaded.config.subscriptions.forEach((subscription, s) => {
    const files = clientTlsFiles(subscription, loaded.dir);
    if (files.length === 0) return;
    const read: Partial<Record<(typeof files)[number][0], Buffer>> = {};
    for (const [name, file] of files) {
      try {
        read[name] = readFileSync(file);
      } catch (error) {
        const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
        problems.push(
          loaded.locate(['subscriptions', s, 'tls', name], `${file} ${why}; give a PEM file, relative to the config directory`),
        );
      }
    }
    if (Object.keys(read).length < files.length) return;
    try {
      createSecureContext({ cert: read.cert, key: read.key, ...(read.ca ? { ca: read.ca } : {}) });
    } catch (error) {
      // OpenSSL's reason names what is wrong (no PEM found, key values mismatch) and holds no key material.
      problems.push(
        loaded.locate(
          ['subscriptions', s, 'tls'],
          `the client certificate cannot be used (${(error as Error).message}); give the PEM certificate, its own private key (unencrypted) and, optionally, the CA that issued the receiver's certificate`,
        ),
      );
    }
  });
  return problems;
}
