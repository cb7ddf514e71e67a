/**
 * Shared by the headless-Chromium tests (browser.test.ts, test/inspector/): where Debian's
 * Chromium is, how it is started (playwright-core), and whether it can be. Without a usable
 * Chromium the tests skip visibly, except under CI=true where they fail.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export type PlaywrightCore = typeof import('playwright-core');
export type BrowserContext = Awaited<ReturnType<PlaywrightCore['chromium']['launchPersistentContext']>>;

export async function loadPlaywright(): Promise<PlaywrightCore | null> {
  try {
    return (await import('playwright-core')) as PlaywrightCore;
  } catch {
    return null;
  }
}

export const inCI = process.env.CI === 'true';

/** Why the Chromium tests cannot run here (null: they can), given the dist file they need. */
export function chromiumUnusable(playwright: PlaywrightCore | null, distFile = join('dist', 'index.js')): string | null {
  if (playwright === null) return 'playwright-core is not installed';
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  if (!existsSync(join(ROOT, distFile))) return `${distFile} is missing (npm run build)`;
  return null;
}

/**
 * Start Chromium with a profile in `profileDir`; null (after a visible warning) when it is
 * installed but does not start, except in CI where that throws.
 */
export async function launchChromium(playwright: PlaywrightCore, profileDir: string): Promise<BrowserContext | null> {
  try {
    return await playwright.chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000,
    });
  } catch (e) {
    // Installed but unable to start (no display libraries, a sandbox refusing): CI must see it.
    if (inCI) throw e;
    console.warn(`[skip] browser check: ${CHROMIUM} does not start: ${String(e).split('\n')[0]}`);
    return null;
  }
}

/**
 * Open `base` in Chromium with a fresh profile, call `run(...args)` of the page module at
 * `modulePath` (served by the test's own server) and return what it reports, with the
 * page's uncaught errors. Null when Chromium is installed but does not start (see
 * launchChromium): the caller skips.
 */
export async function runPageModule<T>(
  playwright: PlaywrightCore, profileDir: string, base: string, modulePath: string, args: readonly unknown[] = [],
): Promise<{ report: T; errors: string[] } | null> {
  const context = await launchChromium(playwright, profileDir);
  if (context === null) return null;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/`);
    // A string, so the test runner does not rewrite the page's dynamic import.
    const call = `m.run(${args.map((a) => JSON.stringify(a)).join(', ')})`;
    const report = (await page.evaluate(`import(${JSON.stringify(modulePath)}).then((m) => ${call})`)) as T;
    return { report, errors };
  } finally {
    await context.close();
  }
}
