// The driver test kit: it runs a driver as the engine does (same refusals), keeps what the
// module emits, moves time by hand, and types calls, events and state by the driver's schemas.
import { describe, expect, it } from 'vitest';
import { defineDriver, z } from './api.js';
import { ManualClock, ModuleCallInvalid, startDriver, type DriverUnderTest } from './testing.js';

/** A doorbell that rings for `ring_ms` and tells when it rang, for exercising the kit. */
const doorbell = defineDriver({
  name: 'doorbell',
  module: 'Doorbell',
  description: 'A doorbell for the kit tests.',
  settings: z.strictObject({ ring_ms: z.number().int().positive().default(1000) }),
  state: z.object({ ringing: z.boolean(), rings: z.number() }),
  initialState: () => ({ ringing: false, rings: 0 }),
  events: {
    'doorbell.rang': { description: 'Someone rang.', data: z.object({ at: z.number(), by: z.string().default('someone') }) },
  },
  methods: {
    ring: {
      args: z.strictObject({ by: z.string().optional() }),
      run: async (ctx, { by }) => {
        ctx.setState({ ringing: true, rings: ctx.state.rings + 1 });
        ctx.clock.setTimeout(() => ctx.setState({ ringing: false }), ctx.settings.ring_ms);
        await ctx.emit('doorbell.rang', { at: ctx.clock.now(), by });
        ctx.log.info('rang', { by });
      },
    },
  },
  webhooks: {
    press: {
      run: (ctx, request) => ({
        status: 200,
        body: { method: request.method, query: request.query, body: request.body, raw: request.rawBody.toString('utf8') },
      }),
    },
  },
});

describe('startDriver', () => {
  it('runs a call through the engine: state, changes, events with their parsed data, logs', async () => {
    const m = await startDriver(doorbell, { settings: { ring_ms: 500 } });
    await m.call('ring', {});
    expect(m.address).toBe('Doorbell_1');
    expect(m.state).toEqual({ ringing: true, rings: 1 });
    expect(m.stateChanges).toEqual([
      { key: 'ringing', old: false, new: true },
      { key: 'rings', old: 0, new: 1 },
    ]);
    expect(m.events).toEqual([{ type: 'doorbell.rang', data: { at: Date.UTC(2026, 0, 1), by: 'someone' } }]);
    expect(m.logs).toEqual([{ level: 'info', message: 'rang', fields: { by: undefined } }]);
  });

  it('runs timers on the manual clock when time is advanced, not before', async () => {
    const clock = new ManualClock(1_000);
    const m = await startDriver(doorbell, { clock, settings: { ring_ms: 500 } });
    await m.call('ring', { by: 'courier' });
    clock.advance(499);
    expect(m.state.ringing).toBe(true);
    clock.advance(1);
    expect(m.state.ringing).toBe(false);
    expect(clock.now()).toBe(1_500);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses bad arguments and unknown methods with the engine’s own ModuleCallInvalid', async () => {
    const m = await startDriver(doorbell);
    await expect(m.callRaw('ring', { by: 3 })).rejects.toThrow(
      new ModuleCallInvalid('Doorbell_1.ring got bad arguments: by: Invalid input: expected string, received number'),
    );
    await expect(m.callRaw('knock', {})).rejects.toBeInstanceOf(ModuleCallInvalid);
    expect(m.stateChanges).toEqual([]);
  });

  it('hands a webhook JSON as parsed body and raw bytes, or a raw body unparsed', async () => {
    const m = await startDriver(doorbell);
    expect(await m.webhook('press', { body: { floor: 2 }, query: { k: 'v' } })).toEqual({
      status: 200,
      body: { method: 'POST', query: { k: 'v' }, body: { floor: 2 }, raw: '{"floor":2}' },
    });
    expect(await m.webhook('press', { method: 'PUT', rawBody: 'a=1' })).toMatchObject({ body: { body: undefined, raw: 'a=1' } });
  });

  it('rejects with the driver’s reason when its start throws', async () => {
    const broken = defineDriver({
      name: 'broken',
      module: 'Broken',
      description: 'Fails to start.',
      settings: z.object({}),
      state: z.object({}),
      initialState: () => ({}),
      methods: {},
      start: () => {
        throw new Error('no device at 10.0.0.9');
      },
    });
    await expect(startDriver(broken, { address: 'Broken_7' })).rejects.toThrow('Broken_7 failed to start: no device at 10.0.0.9');
  });
});

// Checked by `tsc -p tsconfig.test.json`: a typo in a method, an event or a state key does not compile.
export function typeChecks(m: DriverUnderTest<typeof doorbell>): void {
  // @ts-expect-error: not a method of the doorbell
  void m.call('rung', {});
  // @ts-expect-error: `by` is a string
  void m.call('ring', { by: 3 });
  // @ts-expect-error: not a webhook of the doorbell
  void m.webhook('pres');
  // @ts-expect-error: not a key of the state
  void m.state.volume;
  const event = m.events[0];
  if (event) {
    const by: string = event.data.by;
    void by;
  }
  defineDriver({
    name: 'typo',
    module: 'Typo',
    description: 'Emits what it declares, and nothing else.',
    settings: z.object({}),
    state: z.object({ n: z.number() }),
    initialState: () => ({ n: 0 }),
    events: { 'typo.done': { description: 'Done.', data: z.object({ n: z.number() }) } },
    methods: {
      go: {
        args: z.object({}),
        run: async (ctx) => {
          await ctx.emit('typo.done', { n: 1 });
          // @ts-expect-error: an event type the driver does not declare
          await ctx.emit('typo.dne', { n: 1 });
          // @ts-expect-error: data of the wrong type
          await ctx.emit('typo.done', { n: 'one' });
          // @ts-expect-error: data missing a field
          await ctx.emit('typo.done', {});
          // @ts-expect-error: a state key the driver does not declare
          ctx.setState({ m: 1 });
        },
      },
    },
  });
  defineDriver({
    name: 'silent',
    module: 'Silent',
    description: 'Declares no events, so it can emit none.',
    settings: z.object({}),
    state: z.object({}),
    initialState: () => ({}),
    methods: {
      go: {
        args: z.object({}),
        // @ts-expect-error: no events declared
        run: (ctx) => ctx.emit('anything', {}),
      },
    },
  });
}
