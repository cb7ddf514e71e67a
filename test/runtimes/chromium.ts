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
