// Marked settings are redacted wherever the mark sits (inside optional, default, nested
// objects), and secret-looking names are redacted whether marked or not.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSecretSetting, secret, shownSettings } from './secret-setting.js';

describe('secret settings', () => {
  it('redacts marked fields at any depth and through optional and default, and secret-looking names', () => {
    const schema = z.object({
      host: z.string(),
      psk: secret(z.string()).optional(),
      community: secret(z.string()).default('public'),
      nested: z.object({ pin: secret(z.string()), label: z.string() }),
      api_token: z.string(),
    });
    const settings = schema.parse({ host: '10.0.0.9', psk: 'k', nested: { pin: '1234', label: 'a' }, api_token: 't' });
    expect(shownSettings(schema, settings)).toEqual({
      host: '10.0.0.9',
      psk: '[redacted]',
      community: '[redacted]',
      nested: { pin: '[redacted]', label: 'a' },
      api_token: '[redacted]',
    });
  });

  it('knows a marked schema through its wrappers, and an unmarked one as not secret', () => {
    expect(isSecretSetting(secret(z.string()).optional())).toBe(true);
    expect(isSecretSetting(z.string().optional())).toBe(false);
  });
});
