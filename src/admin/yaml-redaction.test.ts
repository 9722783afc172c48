// What the admin API shows of a stored YAML file below the admin scope: no secret value in
// any of the ways YAML can write one, the rest as written.
import { describe, expect, it } from 'vitest';
import { redactYaml } from './yaml-redaction.js';

describe('redactYaml', () => {
  it('redacts secret-looking keys inline, in flow mappings and flow and block lists, and keeps ${ENV} and the rest', () => {
    const yaml = [
      '# the lobby',
      'instances:',
      '  - { id: door, trigger: t, system: s, secret: door-secret-0123456789 }',
      '  - id: gate',
      '    secret: ${GATE_SECRET}',
      '  - { id: hall, trigger: t, system: s, secret: "${HALL_SECRET:-default-literal-secret}" }',
      'triggers:',
      '  - id: gh',
      '    signature: { scheme: github, secret: [old-provider-secret, ${NEW_PROVIDER_SECRET}] }',
      '  - id: gh2',
      '    signature:',
      '      scheme: github',
      '      secret:',
      '        - block-list-secret-one',
      '        - ${BLOCK_ENV}',
      '      # a comment',
      '    actions: [{ call: Display_1.power, args: { state: true, api_key: literal-key } }]',
      'subscriptions:',
      '  - { id: s, url: "https://x.example", secret: whsec_c2VjcmV0c2VjcmV0 }',
      'admin:',
      '  tokens: [{ name: root, token: admin-token-literal-0123456789, scope: admin }]',
    ].join('\n');
    const shown = redactYaml(yaml);
    for (const secret of [
      'door-secret-0123456789',
      'old-provider-secret',
      'block-list-secret-one',
      'literal-key',
      'whsec_c2Vj',
      'admin-token-literal',
    ])
      expect(shown).not.toContain(secret);
    for (const kept of [
      '${GATE_SECRET}',
      '${NEW_PROVIDER_SECRET}',
      '${BLOCK_ENV}',
      '# the lobby',
      'scheme: github',
      'state: true',
      '# a comment',
      'name: root',
    ])
      expect(shown).toContain(kept);
    expect(shown).toContain('secret: [[redacted], ${NEW_PROVIDER_SECRET}]');
    expect(shown).toContain('        - [redacted]');
    expect(shown).toContain('${HALL_SECRET:-[redacted]}');
    expect(shown.split('\n')).toHaveLength(yaml.split('\n').length);
  });
});
