// A subscription's client certificate files: `check` names each unreadable or unusable one; start reads them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate } from '../../test/support/certificates.js';
import { loadConfig } from '../config/load-config.js';
import { checkSubscriptionFiles } from './check-subscription-files.js';
import { ClientTlsUnreadable, loadClientTls } from './client-tls.js';

let dir: string;

function configWith(tls: string) {
  writeFileSync(
    join(dir, 'site.yaml'),
    `subscriptions:\n  - id: sub-a\n    url: https://hooks.example.com/in\n    tls: ${tls}\n  - id: sub-plain\n    url: https://plain.example.com/in\n`,
  );
  return loadConfig(dir, {});
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-client-tls-'));
  makeCertificate(dir, 'client');
  makeCertificate(dir, 'other');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkSubscriptionFiles', () => {
  it('accepts a certificate with its own key and a CA, named relative to the config directory', () => {
    const loaded = configWith('{ cert: client.pem, key: client-key.pem, ca: other.pem }');
    expect(checkSubscriptionFiles(loaded)).toEqual([]);
    const material = loadClientTls(loaded.config.subscriptions, loaded.dir);
    expect([...material.keys()]).toEqual(['sub-a']);
    expect(material.get('sub-a')!.cert.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('names each file that cannot be read, at its place in the config', () => {
    const problems = checkSubscriptionFiles(configWith('{ cert: missing.pem, key: client-key.pem, ca: gone-ca.pem }'));
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['subscriptions[0].tls.cert', 4],
      ['subscriptions[0].tls.ca', 4],
    ]);
    expect(problems[0]!.message).toBe(
      `${join(dir, 'missing.pem')} does not exist; give a PEM file, relative to the config directory`,
    );
  });

  it('says when the key is not the certificate’s own, without showing either', () => {
    const [problem, ...rest] = checkSubscriptionFiles(configWith('{ cert: client.pem, key: other-key.pem }'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: 'subscriptions[0].tls' });
    expect(problem!.message).toMatch(/^the client certificate cannot be used \(.*key values mismatch.*\)/);
    expect(problem!.message).not.toContain('PRIVATE KEY');
  });

  it('refuses to start on a file that went missing after the check', () => {
    const loaded = configWith('{ cert: client.pem, key: vanished-key.pem }');
    expect(() => loadClientTls(loaded.config.subscriptions, loaded.dir)).toThrow(ClientTlsUnreadable);
    expect(() => loadClientTls(loaded.config.subscriptions, loaded.dir)).toThrow(
      /^subscription sub-a: tls\.key .*vanished-key\.pem does not exist/,
    );
  });
});
