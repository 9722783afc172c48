// Debounce semantics through a real server, with an injected clock: PlaceOS's hold
// window (extended by every request) and the fixed-period throttle.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { basicConfig, startTestEngine, type TestEngine } from './support/test-engine.js';

let t: TestEngine | undefined;
afterEach(async () => t?.cleanup());

async function fired(engine: TestEngine): Promise<boolean | string> {
  const response = await fetch(engine.url('/webhook/trig-room/notify?secret=room-secret-0123456789'), { method: 'POST' });
  const body = (await response.json()) as { fired: boolean; reason?: string };
  expect(response.status).toBe(202);
  return body.fired || body.reason!;
}

describe('debounce', () => {
  it('fires the first request, extends the hold window on every request, and fires again after a quiet gap', async () => {
    const clock = new FakeClock();
    t = await startTestEngine({ files: basicConfig('    debounce: 5s'), clock });
    expect(await fired(t)).toBe(true);
    clock.advance(4_000);
    expect(await fired(t)).toBe('debounced'); // 4 s after the first: inside
    clock.advance(4_000);
    expect(await fired(t)).toBe('debounced'); // 8 s after the first, but 4 s after the last: extended
    clock.advance(4_999);
    expect(await fired(t)).toBe('debounced');
    clock.advance(5_000);
    expect(await fired(t)).toBe(true); // a quiet gap of a whole period
  });

  it('throttle fires at most once per fixed period, whatever comes between', async () => {
    const clock = new FakeClock();
    t = await startTestEngine({ files: basicConfig('    debounce: 500ms\n    debounce_mode: throttle'), clock });
    const outcomes: (boolean | string)[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(await fired(t));
      clock.advance(200);
    }
    // requests at 0, 200, 400, 600, 800, 1000 ms: fires at 0, 600 (≥ 500 after 0), and not 1000 (400 after 600)
    expect(outcomes).toEqual([true, 'debounced', 'debounced', true, 'debounced', 'debounced']);
  });

  it('keeps debounce per instance, not per trigger', async () => {
    t = await startTestEngine({
      files: basicConfig(
        '    debounce: 1h',
        '  - { id: trig-other, trigger: wake, system: sys-room, secret: other-secret-0123456789 }',
      ),
    });
    expect(await fired(t)).toBe(true);
    const other = await fetch(t.url('/webhook/trig-other/notify?secret=other-secret-0123456789'), { method: 'POST' });
    expect(await other.json()).toMatchObject({ fired: true });
  });
});
