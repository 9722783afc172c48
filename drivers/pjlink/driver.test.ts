// Covers the PJLink driver against a fake PJLink device on a local port, with the module's
// timers on a fake clock: the greeting with and without a password, power, input, mute,
// refusals, the query, polling, a failed login shown as the module's connection error, and stop.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeDevice, startDriver, type DriverUnderTest, type FakeDevice, type SettingsOf } from '../../src/drivers/testing.js';
import { driver } from './driver.js';

let device: FakeDevice | undefined;
let module: DriverUnderTest<typeof driver> | undefined;
afterEach(async () => {
  await module?.stop();
  await device?.close();
  module = device = undefined;
});

/** A running Projector_1 on the kit's manual clock, talking to a fake device that greets with `greeting`. */
async function projector(greeting = 'PJLINK 0\r', settings: Partial<SettingsOf<typeof driver>> = {}) {
  device = await fakeDevice({ greeting });
  const m = await startDriver(driver, { settings: { host: '127.0.0.1', port: device.port, ...settings } });
  module = m;
  /** Resolves once the state key holds the value (now or after a change). */
  const stateIs = (key: keyof typeof m.state, value: unknown) => m.until(() => Object.is(m.state[key], value));
  return { m, clock: m.clock, device, stateIs, when: m.until };
}

/** The fake device answers the poll a new connection starts with. */
async function answerPoll(d: FakeDevice, power = '0', lamp = '1234 1') {
  await d.expect('%1POWR ?\r');
  d.reply(`%1POWR=${power}\r`);
  await d.expect('%1LAMP ?\r');
  d.reply(`%1LAMP=${lamp}\r`);
}

describe('pjlink driver', () => {
  it('connects without a password, comes online and reads power and lamp hours', async () => {
    const { m, device, stateIs } = await projector();
    await stateIs('online', true);
    expect(m.connection.status).toBe('online');
    await answerPoll(device, '0', '1234 1 560 0');
    await stateIs('lamp_hours', 1234);
    expect(m.state).toMatchObject({ power: 'off', lamp_hours: 1234, online: true });
  });

  it('powers on, then reads the power state back', async () => {
    const { m, device, stateIs } = await projector();
    await stateIs('online', true);
    await answerPoll(device);
    const call = m.call('power', { state: true });
    await device.expect('%1POWR 1\r');
    device.reply('%1POWR=OK\r');
    await device.expect('%1POWR ?\r');
    device.reply('%1POWR=3\r');
    expect(await call).toBe('warming');
    expect(m.state.power).toBe('warming');
  });

  it('rejects a refused command saying what the projector answered and what it means', async () => {
    const { m, device, stateIs } = await projector();
    await stateIs('online', true);
    await answerPoll(device);
    const call = m.call('power', { state: false });
    const refused = expect(call).rejects.toThrow(
      'Projector_1: the projector refused POWR 0: ERR3 (unavailable now (the projector may be warming up, cooling down or in standby))',
    );
    await device.expect('%1POWR 0\r');
    device.reply('%1POWR=ERR3\r');
    await refused;
  });

  it('switches input and mutes', async () => {
    const { m, device, stateIs } = await projector();
    await stateIs('online', true);
    await answerPoll(device);
    const input = m.call('switch_to', { input: '31' });
    await device.expect('%1INPT 31\r');
    device.reply('%1INPT=OK\r');
    await input;
    const mute = m.call('mute', { state: true });
    await device.expect('%1AVMT 31\r');
    device.reply('%1AVMT=OK\r');
    await mute;
    expect(m.state).toMatchObject({ input: '31', mute: true });
  });

  it('refuses an input that is not a PJLink code', async () => {
    const { m } = await projector();
    await expect(m.call('switch_to', { input: 'hdmi1' })).rejects.toThrow('a PJLink input code such as 31');
  });

  it('queries everything, and keeps the last value of what the projector refuses', async () => {
    const { m, device, stateIs } = await projector();
    await stateIs('online', true);
    await answerPoll(device);
    const call = m.call('query', {});
    await device.expect('%1POWR ?\r');
    device.reply('%1POWR=1\r');
    await device.expect('%1INPT ?\r');
    device.reply('%1INPT=ERR3\r');
    await device.expect('%1AVMT ?\r');
    device.reply('%1AVMT=30\r');
    await device.expect('%1LAMP ?\r');
    device.reply('%1LAMP=2000 1\r');
    await device.expect('%1ERST ?\r');
    device.reply('%1ERST=010200\r');
    expect(await call).toMatchObject({
      power: 'on',
      input: null,
      mute: false,
      lamp_hours: 2000,
      errors: { fan: 'ok', lamp: 'warning', temperature: 'ok', cover: 'error', filter: 'ok', other: 'ok' },
    });
  });

  it('logs in with md5(random + password) in front of its first command (the PJLink spec example)', async () => {
    const { m, device, stateIs } = await projector('PJLINK 1 498e4a67\r', { password: 'JBMIAProjectorLink' });
    await device.expect('5d8409bc1c3fa39749434aa3a5c38682%1POWR ?\r');
    device.reply('%1POWR=1\r');
    await stateIs('online', true);
    expect(m.state.power).toBe('on');
  });

  it('stays offline with a clear error when the password is refused', async () => {
    const { m, device, when } = await projector('PJLINK 1 498e4a67\r', { password: 'wrong' });
    await device.expect(`${createHash('md5').update('498e4a67wrong').digest('hex')}%1POWR ?\r`);
    device.reply('PJLINK ERRA\r');
    await when(() => m.connection.error !== undefined);
    expect(m.state.online).toBe(false);
    expect(m.connection.status).toBe('offline');
    expect(m.connection.error).toContain('PJLink authentication failed (PJLINK ERRA): check the password setting');
  });

  it('stays offline saying to set a password when the projector asks for one', async () => {
    const { m, when } = await projector('PJLINK 1 0badc0de\r');
    await when(() => m.connection.error !== undefined);
    expect(m.connection.error).toContain('the projector asks for a PJLink password; set the password setting');
  });

  it('polls power and lamp hours every poll_ms', async () => {
    const { m, device, clock, stateIs } = await projector('PJLINK 0\r', { poll_ms: 10_000 });
    await stateIs('online', true);
    await answerPoll(device);
    // Its answer is in before the clock moves, or the lamp query would time out and go again.
    await stateIs('lamp_hours', 1234);
    clock.advance(10_000);
    await answerPoll(device, '1', '1300 1');
    await stateIs('lamp_hours', 1300);
    expect(m.state.power).toBe('on');
  });

  it('closes the connection on stop and rejects what waits', async () => {
    const { m, device, stateIs } = await projector();
    await stateIs('online', true);
    await answerPoll(device);
    const call = m.call('mute', { state: true });
    const rejected = expect(call).rejects.toMatchObject({ code: 'closed' });
    await device.expect('%1AVMT 31\r');
    await m.stop();
    await rejected;
    expect(m.state.online).toBe(false);
  });
});
