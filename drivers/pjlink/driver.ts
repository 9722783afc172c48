// A PJLink class 1 projector over TCP (port 4352): power, input, AV mute, lamp hours and
// error status, with PJLink's MD5 password authentication. The device link reconnects by
// itself; power and lamp hours are polled so state follows changes made at the projector.
import { createHash } from 'node:crypto';
import {
  CommandRejected,
  defineDriver,
  delimiter,
  secret,
  tcp,
  z,
  type Handshake,
  type ModuleContext,
  type TcpLink,
} from '../../src/drivers/api.js';

const POWER = ['off', 'on', 'cooling', 'warming'] as const;
const HEALTH = ['ok', 'warning', 'error'] as const;
const ERROR_PARTS = ['fan', 'lamp', 'temperature', 'cover', 'filter', 'other'] as const;
// What a projector's ERRn answers mean (PJLink class 1, section 4).
const REFUSALS: Record<string, string> = {
  ERR1: 'undefined command',
  ERR2: 'parameter out of range (an input the projector does not have?)',
  ERR3: 'unavailable now (the projector may be warming up, cooling down or in standby)',
  ERR4: 'projector failure',
  ERRA: 'authentication failed',
};

const settings = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(4352),
  /** The projector's PJLink password; without it a projector that asks for one stays offline. */
  password: secret(z.string()).optional(),
  poll_ms: z.number().int().min(1_000).default(30_000),
});
type Settings = z.output<typeof settings>;

const errors = z.object(
  Object.fromEntries(ERROR_PARTS.map((part) => [part, z.enum(HEALTH)])) as Record<
    (typeof ERROR_PARTS)[number],
    z.ZodEnum<{ ok: 'ok'; warning: 'warning'; error: 'error' }>
  >,
);

const state = z.object({
  power: z.enum(POWER),
  input: z.string().nullable(),
  mute: z.boolean(),
  lamp_hours: z.number().nullable(),
  errors: errors.nullable(),
  online: z.boolean(),
});
type State = z.output<typeof state>;
type Ctx = ModuleContext<Settings, State>;
/** Where a command goes in the link's queue. */
type Queue = { name?: string; priority?: number };

/** Each running module's link and poll timer, by its context (a driver is shared by its modules). */
const sessions = new WeakMap<object, { link: TcpLink; stopPolling: () => void }>();

export const driver = defineDriver({
  name: 'pjlink',
  module: 'Projector',
  description: 'A PJLink class 1 projector over TCP: power, input, AV mute, lamp hours and errors.',
  settings,
  state,
  initialState: (): State => ({ power: 'off', input: null, mute: false, lamp_hours: null, errors: null, online: false }),
  methods: {
    power: {
      description: 'Turns the projector on or off, then reads its power state back.',
      args: z.strictObject({ state: z.boolean() }),
      run: async (ctx, { state: on }) => {
        await command(ctx, 'POWR', on ? '1' : '0', { name: 'power', priority: 10 });
        await queryPower(ctx);
        return ctx.state.power;
      },
    },
    switch_to: {
      description:
        'Selects an input by its PJLink code: type 1-5 (RGB, video, digital, storage, network) then number, such as 31.',
      args: z.strictObject({ input: z.string().regex(/^[1-5][1-9A-Z]$/, 'a PJLink input code such as 31') }),
      run: async (ctx, { input }) => {
        await command(ctx, 'INPT', input, { name: 'input', priority: 5 });
        ctx.setState({ input });
      },
    },
    mute: {
      description: 'Mutes or unmutes picture and sound together.',
      args: z.strictObject({ state: z.boolean().default(true) }),
      run: async (ctx, { state: on }) => {
        await command(ctx, 'AVMT', on ? '31' : '30', { name: 'mute', priority: 5 });
        ctx.setState({ mute: on });
      },
    },
    query: {
      description: 'Reads power, input, mute, lamp hours and errors from the projector; answers the state.',
      args: z.strictObject({}),
      run: async (ctx) => {
        await queryPower(ctx);
        // In standby a projector may refuse these with ERR3; what it refuses keeps its last value.
        const settled = await Promise.allSettled([
          command(ctx, 'INPT', '?').then((input) => ctx.setState({ input })),
          command(ctx, 'AVMT', '?').then((mute) => ctx.setState({ mute: mute === '31' || mute === '11' || mute === '21' })),
          queryLamp(ctx),
          command(ctx, 'ERST', '?').then((flags) => ctx.setState({ errors: parseErrors(flags) })),
        ]);
        const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed.length)
          ctx.log.info('projector left some queries unanswered', { reasons: failed.map((f) => String(f.reason)) });
        return ctx.state;
      },
    },
  },
  start: (ctx) => {
    // A state kept from before a restart may say online; nothing is connected yet.
    ctx.setState({ online: false });
    const link = tcp(ctx, {
      host: ctx.settings.host,
      port: ctx.settings.port,
      tokenizer: delimiter('\r'),
      handshake: (session) => authenticate(ctx, session),
      onConnection: (online) => {
        ctx.setState({ online });
        if (online) poll(ctx);
      },
    });
    const stopPolling = repeat(ctx, ctx.settings.poll_ms, () => poll(ctx));
    sessions.set(ctx, { link, stopPolling });
  },
  stop: async (ctx) => {
    const session = sessions.get(ctx);
    sessions.delete(ctx);
    session?.stopPolling();
    await session?.link.close();
  },
});

/**
 * Reads the greeting: `PJLINK 0` needs nothing; `PJLINK 1 <random>` wants md5(random +
 * password) in front of the first command, which here is a power query, so its answer
 * also tells whether the password was right.
 */
async function authenticate(ctx: Ctx, session: Handshake): Promise<void> {
  const greeting = (await session.next()).toString('latin1');
  if (greeting === 'PJLINK 0') return;
  if (greeting === 'PJLINK ERRA') throw new Error('PJLink authentication failed (PJLINK ERRA): check the password setting');
  const challenge = /^PJLINK 1 (\S+)$/.exec(greeting)?.[1];
  if (!challenge)
    throw new Error(
      `not a PJLink greeting: ${JSON.stringify(greeting)}; is ${ctx.settings.host}:${ctx.settings.port} a PJLink projector?`,
    );
  if (ctx.settings.password === undefined) throw new Error('the projector asks for a PJLink password; set the password setting');
  const digest = createHash('md5')
    .update(challenge + ctx.settings.password)
    .digest('hex');
  session.write(`${digest}%1POWR ?\r`);
  const answer = (await session.next()).toString('latin1');
  if (answer === 'PJLINK ERRA') throw new Error('PJLink authentication failed (PJLINK ERRA): check the password setting');
  const power = parseAnswer('POWR', answer);
  if (power !== undefined) setPower(ctx, power);
}

/** Sends `%1<CMD> <param>` and answers what follows `=`; a refusal throws with what it means. */
async function command(
  ctx: Ctx,
  cmd: string,
  param: string,
  options: { name?: string; priority?: number } = {},
): Promise<string> {
  const link = sessions.get(ctx)?.link;
  if (!link) throw new Error(`${ctx.address} is not connected (the module is not running)`);
  try {
    const reply = await link.send(`%1${cmd} ${param}\r`, {
      ...options,
      reply: (frame) => {
        const answer = parseAnswer(cmd, frame.toString('latin1'));
        if (frame.toString('latin1') === 'PJLINK ERRA') return false;
        return answer === undefined ? 'ignore' : !answer.startsWith('ERR');
      },
    });
    return parseAnswer(cmd, reply.toString('latin1')) ?? '';
  } catch (error) {
    if (!(error instanceof CommandRejected)) throw error;
    const text = error.reply.toString('latin1');
    const code = text === 'PJLINK ERRA' ? 'ERRA' : (parseAnswer(cmd, text) ?? text);
    throw new Error(`${ctx.address}: the projector refused ${cmd} ${param}: ${code} (${REFUSALS[code] ?? 'unknown answer'})`, {
      cause: error,
    });
  }
}

/** The part after `%1CMD=` when `text` answers `cmd`. */
function parseAnswer(cmd: string, text: string): string | undefined {
  const prefix = `%1${cmd}=`;
  return text.startsWith(prefix) ? text.slice(prefix.length) : undefined;
}

async function queryPower(ctx: Ctx, options: Queue = {}): Promise<void> {
  setPower(ctx, await command(ctx, 'POWR', '?', options));
}

async function queryLamp(ctx: Ctx, options: Queue = {}): Promise<void> {
  // `1234 1` is hours then on/off, once per lamp; the first lamp stands for the projector.
  const hours = Number((await command(ctx, 'LAMP', '?', options)).split(' ')[0]);
  if (Number.isFinite(hours)) ctx.setState({ lamp_hours: hours });
}

function setPower(ctx: Ctx, code: string): void {
  const power = POWER[Number(code)];
  if (power && /^[0-3]$/.test(code)) ctx.setState({ power });
}

function parseErrors(flags: string): State['errors'] {
  if (!/^[0-2]{6}$/.test(flags)) return null;
  return Object.fromEntries(ERROR_PARTS.map((part, i) => [part, HEALTH[Number(flags[i])]])) as State['errors'];
}

/** A poll of power and lamp hours at low priority; a poll that fails is logged, the next one tries again. */
function poll(ctx: Ctx): void {
  const session = sessions.get(ctx);
  if (!session?.link.online) return;
  // Below every method's command, so a poll never delays what a trigger asked for; named,
  // so polls queued while the projector is slow replace each other instead of piling up.
  Promise.all([queryPower(ctx, { name: 'poll_power', priority: -1 }), queryLamp(ctx, { name: 'poll_lamp', priority: -1 })]).catch(
    (error: unknown) => ctx.log.debug('projector poll failed', { module: ctx.address, reason: (error as Error).message }),
  );
}

/** Runs `fn` every `ms` on the module's clock until the returned function is called. */
function repeat(ctx: Ctx, ms: number, fn: () => void): () => void {
  let cancel = ctx.clock.setTimeout(function tick() {
    cancel = ctx.clock.setTimeout(tick, ms);
    fn();
  }, ms);
  return () => cancel();
}
