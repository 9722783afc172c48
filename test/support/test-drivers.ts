// Drivers that exist only for tests: webhook methods that echo, throw, hang or answer nothing.
import { defineDriver, z } from '../../src/drivers/api.js';

export const probeDriver = defineDriver({
  name: 'probe',
  module: 'Probe',
  description: 'Test driver with webhook methods that echo, throw, hang and answer nothing.',
  settings: z.object({}),
  state: z.object({ calls: z.number(), last: z.unknown() }),
  initialState: () => ({ calls: 0, last: null }),
  methods: {
    record: {
      args: z.object({ value: z.unknown() }),
      run: (ctx, { value }) => ctx.setState({ calls: ctx.state.calls + 1, last: value }),
    },
    double: {
      args: z.object({ n: z.number() }),
      run: (_ctx, { n }) => ({ doubled: n * 2 }),
    },
    fail: {
      args: z.object({}),
      run: () => {
        throw new Error('probe failure on purpose');
      },
    },
  },
  webhooks: {
    echo: {
      run: (_ctx, request) => ({
        status: 201,
        headers: { 'content-type': 'application/json', 'x-probe': 'yes' },
        body: {
          method: request.method,
          query: request.query,
          body: request.body ?? null,
          raw: request.rawBody.toString('base64'),
          contentType: request.headers['content-type'] ?? null,
        },
      }),
    },
    binary: {
      run: (_ctx, request) => ({
        status: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from(request.rawBody).reverse(),
      }),
    },
    silent: { run: () => undefined },
    explode: {
      run: () => {
        throw new Error('internal detail: db password is hunter2');
      },
    },
    hang: { timeoutMs: 200, run: () => new Promise(() => {}) },
  },
});

/** A driver whose modules fail to start (an unreachable device): only they fail, and they are named. */
export const brokenDriver = defineDriver({
  name: 'broken',
  module: 'Broken',
  description: 'Fails to start.',
  settings: z.object({}),
  state: z.object({}),
  initialState: () => ({}),
  methods: { ping: { args: z.object({}), run: () => 'pong' } },
  webhooks: { hook: { run: () => ({ status: 200, body: 'never' }) } },
  start: () => {
    throw new Error('cannot reach 10.0.0.9:4352');
  },
});
