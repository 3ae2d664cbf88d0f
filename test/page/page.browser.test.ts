/**
 * The try-it page in real headless Chromium (Debian's `chromium`, driven by puppeteer-core), on the real pipeline:
 * pick a scenario, send it, see the cards as an EHR would, open the dose suggestion's before/after, read the trace.
 * Screenshots go to test-artifacts/ (not committed: page.png whole page, page-top.png the first screen,
 * page-suggestion.png the before/after, policy-page.png); UPDATE_DOCS_SCREENSHOT=1 also refreshes the README's
 * docs/screenshots/try-it-page.png from page-top.png. Where Chromium is not installed (`npm run browsers:install` needs root or
 * sudo) the suite is skipped and says why.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { listen, type RunningServer } from '../../src/listen.js';
import { createLogger } from '../../src/log.js';
import { createPipeline } from '../../src/pipeline.js';
import { CardIndex } from '../../src/protocol/card-index.js';
import { JsonlFeedbackStore } from '../../src/protocol/feedback.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`[page.browser] SKIPPED: no Chromium at ${CHROMIUM}. Install it with \`npm run browsers:install\` ` +
    '(apt-get install chromium; needs root or sudo) or set CHROMIUM_PATH.');
}

const SCENARIO = 'bsc-ixabepilone/dose-90-mg-over';
const ARTIFACTS = 'test-artifacts';

describe.runIf(hasChromium)('the try-it page in headless Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let profile: string;
  let decisionLink = "";
  const problems: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'page-test-'));
    const config = loadConfig({
      env: { VITEST: 'true' },
      overrides: { feedbackFile: join(dir, 'feedback.jsonl'), auditFile: join(dir, 'audit.jsonl') },
    });
    const assembled = createPipeline(config);
    const app = createApp({
      config,
      pipeline: assembled.pipeline,
      policiesSummary: assembled.policiesSummary,
      policies: assembled.policies,
      explain: assembled.explain,
      decisionStore: assembled.decisionStore,
      logger: createLogger('silent'),
      authMode: 'open',
      cardIndex: new CardIndex(),
      feedbackStore: new JsonlFeedbackStore(config.feedbackFile),
    });
    server = await listen(app, 0, '127.0.0.1', 1000);
    base = `http://127.0.0.1:${server.port}`;

    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 1000 });
    // Script errors and CSP violations show up here; the page must produce none.
    page.on('pageerror', (err) => problems.push(`pageerror: ${err instanceof Error ? err.message : String(err)}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()} (${msg.location().url ?? ''})`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.shutdown();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads the services, the policies and the scenarios', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready="true"]');
    const services = await page.$$eval('#services li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(services.some((s) => s.includes('oncology-pa-order-sign'))).toBe(true);
    const policyLinks = await page.$$eval('#policies a', (as) => as.map((a) => a.getAttribute('href')));
    expect(policyLinks).toContain('/policies/bsc-ixabepilone');
    expect(policyLinks).toHaveLength(readdirSync('policies').filter((f) => f.endsWith('.json') && !f.startsWith('_')).length);
    const options = await page.$$eval('#scenario option', (os) => os.map((o) => o.value));
    expect(options).toContain(SCENARIO);
    expect(problems).toEqual([]);
  }, 60_000);

  it('sends a dose-over scenario and shows the cards, the suggestion before/after and the trace', async () => {
    await page.select('#scenario', SCENARIO);
    await page.waitForFunction(() => (document.getElementById('request') as HTMLTextAreaElement).value.includes('"draftOrders"'));
    expect(await page.$eval('#scenario-description', (e) => e.textContent ?? '')).toMatch(/\S/);
    expect(await page.$eval('#service', (e) => (e as HTMLSelectElement).value)).toBe('oncology-pa-order-sign');

    await page.click('#send');
    await page.waitForSelector('#cards article.card');
    await page.waitForFunction(() => (document.getElementById('trace')?.textContent ?? '').length > 0);
    expect(await page.$eval('#status', (e) => e.textContent ?? '')).toMatch(/^HTTP 200/);

    const cards = await page.$$eval('#cards article.card', (els) => els.map((el) => ({
      className: el.className,
      summary: el.querySelector('.summary')?.textContent ?? '',
      links: [...el.querySelectorAll('.links a')].map((a) => (a as HTMLAnchorElement).href),
      suggestions: [...el.querySelectorAll('button.suggestion')].map((b) => b.textContent ?? ''),
      detailHtml: el.querySelector('.detail')?.innerHTML ?? '',
    })));
    const dose = cards.find((c) => c.summary.includes('dose above'));
    expect(dose, JSON.stringify(cards.map((c) => c.summary))).toBeDefined();
    expect(dose!.className).toBe('card warning');
    expect(dose!.summary).toContain('90 mg (50 mg/m² at BSA 1.80 m²)');
    expect(dose!.links.some((l) => l.startsWith(`${base}/decisions/`))).toBe(true);
    decisionLink = dose!.links.find((l) => l.startsWith(`${base}/decisions/`)) ?? '';
    expect(dose!.suggestions).toEqual(['Change to 72 mg (recommended)']);
    const pa = cards.find((c) => c.summary.startsWith('Prior authorization required for Ixempra'));
    expect(pa?.className).toBe('card warning');
    // the detail markdown is rendered, not shown raw
    expect(pa!.detailHtml).toMatch(/<(ul|table|p)>/);
    expect(pa!.detailHtml).not.toContain('**');

    const systemActions = await page.$eval('#system-actions', (e) => e.textContent ?? '');
    expect(systemActions).toContain('MedicationRequest/');
    expect(systemActions).toContain('coverage-assertion-id');

    const trace = await page.$eval('#trace', (e) => e.textContent ?? '');
    expect(trace).toContain('Policy bsc-ixabepilone v3Q2023');
    expect(trace).toContain('ordered: 90 mg = 50 mg/m²');
    expect(trace).toMatch(/^Outcome: covered=/m);

    await page.screenshot({ path: join(ARTIFACTS, 'page.png'), fullPage: true });
    await page.screenshot({ path: join(ARTIFACTS, 'page-top.png') });
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      mkdirSync('docs/screenshots', { recursive: true });
      copyFileSync(join(ARTIFACTS, 'page-top.png'), 'docs/screenshots/try-it-page.png');
    }

    // one click on the suggestion shows the order before and after
    const [button] = await page.$$('#cards article.card.warning button.suggestion');
    await button!.click();
    await page.waitForSelector('#suggestion-dialog[open]');
    expect(await page.$eval('#suggestion-title', (e) => e.textContent)).toBe('Change to 72 mg');
    const before = JSON.parse(await page.$eval('#order-before', (e) => e.textContent ?? '')) as Record<string, unknown>;
    const after = JSON.parse(await page.$eval('#order-after', (e) => e.textContent ?? '')) as Record<string, unknown>;
    expect(before.id).toBe(after.id);
    const doseOf = (order: Record<string, unknown>): unknown =>
      (order as { dosageInstruction?: Array<{ doseAndRate?: Array<{ doseQuantity?: { value?: number } }> }> })
        .dosageInstruction?.[0]?.doseAndRate?.[0]?.doseQuantity?.value;
    expect(doseOf(before)).toBe(90);
    expect(doseOf(after)).toBe(72);
    // the changed lines are marked, and only those: the rest of the order is unchanged
    const removed = await page.$$eval('#order-before mark', (ms) => ms.map((m) => m.textContent?.trim()));
    const added = await page.$$eval('#order-after mark', (ms) => ms.map((m) => m.textContent?.trim()));
    expect(removed).toContain('"value": 90,');
    expect(added).toContain('"value": 72,');
    expect(added.length).toBeLessThan(10);
    await page.screenshot({ path: join(ARTIFACTS, 'page-suggestion.png') });
    await page.click('#dialog-close');
    await page.waitForSelector('#suggestion-dialog:not([open])');
    expect(problems).toEqual([]);
  }, 60_000);

  it('follows the card link to the decision page: readable on a phone, marks in words, analyst view one click away', async () => {
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(decisionLink);
    await page.waitForSelector('main.decision');
    expect(await page.$eval('h1', (e) => e.textContent ?? '')).toContain('Ixempra');
    const text = await page.$eval('main', (e) => e.textContent ?? '');
    expect(text).toContain('The dose limit and why');
    expect(text).toMatch(/Met/);
    // nothing wider than the phone's screen
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'decision-page-phone.png'), fullPage: true });
    await page.click('main.decision a[href*="policies"]');
    await page.waitForSelector('table.criteria');
    await page.setViewport({ width: 1280, height: 900 });
  });

  it('follows the card link to the policy page, which renders under its CSP', async () => {
    await page.goto(`${base}/policies/bsc-ixabepilone`);
    await page.waitForSelector('table.criteria');
    expect(await page.$eval('h1', (e) => e.textContent ?? '')).toContain('Ixabepilone (Ixempra)');
    // the external stylesheet applied (the CSP allows 'self' styles): the header is the dark band
    const headerColour = await page.$eval('header', (e) => getComputedStyle(e).backgroundColor);
    expect(headerColour).toBe('rgb(24, 49, 83)');
    expect(await page.$eval('pre.document', (e) => e.textContent ?? '')).toContain('All requests for Ixempra');
    await page.screenshot({ path: join(ARTIFACTS, 'policy-page.png') });
    expect(problems).toEqual([]);
  }, 60_000);
});
