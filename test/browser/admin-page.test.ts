// The admin page in a real browser (Debian's Chromium driven by playwright-core): log in,
// see an instance fire live after a curl, open its run's trace, press Redeliver on a failed
// delivery and see it succeed. Skipped, with one line saying why, where Chromium is absent
// (.ci/run installs it). SWITCHBOARD_SCREENSHOTS=1 also writes the main views to docs/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../support/receiver.js';
import { probeDriver } from '../support/test-drivers.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) console.log(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const OPERATOR = 'page-operator-token-0123456789abcdef';
const VIEWER = 'page-viewer-token-0123456789abcdefgh';
const SECRET = 'page-door-secret-0123456789';
const SCREENSHOTS = process.env.SWITCHBOARD_SCREENSHOTS === '1' ? join(import.meta.dirname, '../../docs') : undefined;

let t: TestEngine;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
  if (!present) return;
  receiver = await new Receiver().start();
  receiver.fallback = { status: 503, body: 'receiver down for maintenance' };
  t = await startTestEngine({
    extraDrivers: [probeDriver],
    files: {
      'site.yaml': `
admin:
  tokens:
    - { name: ops, token: ${OPERATOR}, scope: operate }
    - { name: viewer, token: ${VIEWER}, scope: read }
outbound:
  allow: [127.0.0.1]
systems:
  - { id: sys-lobby, name: Lobby, modules: [{ driver: probe }] }
triggers:
  - id: door-opened
    name: The lobby door opened
    actions:
      - call: Probe_1.record
        args: { value: '{{ body.door }}' }
      - emit: door.opened
instances:
  - { id: trig-lobby-door, trigger: door-opened, system: sys-lobby, secret: ${SECRET} }
subscriptions:
  - { id: security-desk, url: ${receiver.url('/hook')}, events: [door.opened], retry: [0] }
`,
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.cleanup();
  await receiver?.close();
});

async function logIn(page: Page, token: string): Promise<void> {
  await page.goto(t.engine.adminUrl!);
  await expect.poll(() => page.locator('form.login').isVisible()).toBe(true);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('#instances');
}

async function shoot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

describe.skipIf(!present)('admin page', () => {
  it('refuses a wrong token and keeps the right one in an http-only, same-site cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(t.engine.adminUrl!);
    await page.fill('input[name=token]', 'not-the-token-0123456789abcdef');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('.problem').textContent()).toContain('not one of the admin tokens');
    await logIn(page, VIEWER);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'switchboard_admin', httpOnly: true, sameSite: 'Strict' });
    // The read scope sees no buttons that change anything.
    expect(await page.locator('button[data-post]').count()).toBe(0);
    await context.close();
  });

  it('shows an instance fire live after a curl, opens its trace, and redelivers a failed delivery until it succeeds', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, OPERATOR);
    const row = page.locator('tr[data-instance="trig-lobby-door"]');
    await expect.poll(() => row.locator('td.count').textContent()).toBe('0');
    // The page listens to the stream, and has caught up once with what happened before it did.
    await page.waitForSelector('#live.on');
    await page.waitForSelector('body[data-refreshes="1"]');

    const fired = await fetch(`${t.engine.url}/webhook/trig-lobby-door/notify?secret=${SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ door: 'north' }),
    });
    expect(fired.status).toBe(202);
    const { run } = (await fired.json()) as { run: string };
    // Live: no reload of the page.
    await expect.poll(() => row.locator('td.count').textContent(), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => page.locator('#requests').textContent(), { timeout: 10_000 }).toContain(run);
    const failed = page.locator('#deliveries tr', { hasText: 'failed' });
    await expect.poll(() => failed.count(), { timeout: 10_000 }).toBe(1);
    await shoot(page, 'admin-page.png');

    await page.click(`#runs a:has-text("${run}")`);
    await page.waitForSelector('ol.timeline');
    expect(await page.locator('#run-status').textContent()).toBe('succeeded');
    expect(await page.locator('ol.timeline li').allTextContents()).toEqual([
      expect.stringContaining('Probe_1.record'),
      expect.stringContaining('door.opened'),
    ]);
    expect(await page.locator('pre.input').textContent()).toContain('"door": "north"');
    await shoot(page, 'admin-trace.png');

    await page.goBack();
    await page.waitForSelector('#live.on');
    receiver.fallback = { status: 200, body: 'ok' };
    await page.locator('#deliveries tr', { hasText: 'failed' }).locator('button', { hasText: 'Redeliver' }).click();
    await expect.poll(() => page.locator('#deliveries td.delivery-succeeded').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('#deliveries tr', { hasText: 'failed' }).count()).toBe(0);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hook', '/hook']);

    // Disable from the page: an override, shown as one; the URL stops answering; Enable gives it back.
    await row.locator('button', { hasText: 'Disable' }).click();
    await expect.poll(() => row.locator('td.state-disabled').textContent(), { timeout: 10_000 }).toContain('override');
    const refused = await fetch(`${t.engine.url}/webhook/trig-lobby-door/notify?secret=${SECRET}`, { method: 'POST' });
    expect(refused.status).toBe(404);
    await row.locator('button', { hasText: 'Enable' }).click();
    await expect.poll(() => row.locator('td.state-enabled').count(), { timeout: 10_000 }).toBe(1);
    await context.close();
  });

  it('fits a phone: the tables scroll sideways inside the page', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await logIn(page, OPERATOR);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await shoot(page, 'admin-phone.png');
    await context.close();
  });
});
