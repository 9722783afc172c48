// Readiness and the store's own checkpoint: a lock held by the checkpoint worker's RESTART is a
// moment's wait, not a fault; the same lock held by another process is one.
import { describe, expect, it } from 'vitest';
import { StoreHealth } from './store-health.js';

const busy = () => {
  throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
};

describe('StoreHealth', () => {
  it('is not ready while another process holds the lock, and for a while after a commit met it', () => {
    let now = 1_000;
    const health = new StoreHealth(() => now);
    expect(health.readiness(busy)).toMatchObject({ ok: false, detail: expect.stringContaining('locked') });
    expect(health.readiness(() => {})).toMatchObject({ ok: false });
    now += 5_000;
    expect(health.readiness(() => {})).toEqual({ ok: true, detail: 'ok' });
  });

  it('stays ready when the lock is its own checkpoint, whether the probe or a commit meets it', () => {
    let checkpointing = true;
    const health = new StoreHealth(
      () => 1_000,
      () => checkpointing,
    );
    expect(health.readiness(busy)).toEqual({ ok: true, detail: 'ok (checkpointing)' });
    health.recordFault('locked');
    checkpointing = false;
    expect(health.readiness(() => {})).toEqual({ ok: true, detail: 'ok' });
    expect(health.current).toBeUndefined();
  });

  it('still reports any other fault during its own checkpoint', () => {
    const health = new StoreHealth(
      () => 1_000,
      () => true,
    );
    health.recordFault('full');
    expect(health.readiness(() => {})).toMatchObject({ ok: false });
  });
});
