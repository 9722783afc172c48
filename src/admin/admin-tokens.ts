// Who an admin call comes from: the bearer token (or the page's cookie) matched against the
// configured tokens by SHA-256 digest with timingSafeEqual, every token compared every time,
// so neither the length nor the position of a match shows in the time taken. Scopes nest:
// read < operate < admin.
import { hash, timingSafeEqual } from 'node:crypto';
import type { AdminScope, AdminToken } from '../config/admin-schema.js';

export interface Caller {
  /** The token's name: what the log shows, never the token. */
  name: string;
  scope: AdminScope;
}

const RANK: Record<AdminScope, number> = { read: 0, operate: 1, admin: 2 };

export function scopeCovers(held: AdminScope, needed: AdminScope): boolean {
  return RANK[held] >= RANK[needed];
}

const digest = (value: string) => hash('sha256', value, 'buffer');

export class AdminTokens {
  private readonly tokens: readonly { digest: Buffer; caller: Caller }[];

  constructor(tokens: readonly AdminToken[]) {
    this.tokens = tokens.map((t) => ({ digest: digest(t.token), caller: { name: t.name, scope: t.scope } }));
  }

  /** The caller a presented token belongs to, or undefined. */
  identify(presented: string): Caller | undefined {
    const candidate = digest(presented);
    let found: Caller | undefined;
    for (const token of this.tokens) if (timingSafeEqual(candidate, token.digest)) found = token.caller;
    return found;
  }
}
