/**
 * Shared by the headless-Chromium tests (browser.test.ts, test/inspector/): where Debian's
 * Chromium is, how it is started (playwright-core), and whether it can be. Without a usable
 * Chromium the tests skip visibly, except under CI=true where they fail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/**
 * Browsers do not resolve bare imports ('pako', 'fzstd', 'snappyjs'): bundlers do that for
 * users. Here each dependency is bundled into one ES module with esbuild (which the test
 * runner brings), and the server points the dist files' bare imports at those.
 */
export async function bundleDependencies(): Promise<Map<string, string>> {
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const names = new Map<string, Set<string>>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      // dist/browser/ holds the self-contained build: nothing in it imports a package.
      if (entry.isDirectory()) {
        if (full !== join(ROOT, 'dist', 'browser')) walk(full);
      }
      else if (entry.name.endsWith('.js')) {
        for (const m of readFileSync(full, 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'([a-z][^'./:]*)'/g)) {
          const set = names.get(m[2]!) ?? new Set<string>();
          for (const n of m[1]!.split(',')) if (n.trim() !== '') set.add(n.trim());
          names.set(m[2]!, set);
        }
      }
    }
  };
  walk(join(ROOT, 'dist'));
  const out = new Map<string, string>();
  for (const [dep, imported] of names) {
    const contents = `import * as m from '${dep}';\nexport const { ${[...imported].join(', ')} } = m;\n`;
    const result = await esbuild.build({ stdin: { contents, resolveDir: ROOT }, bundle: true, format: 'esm', write: false, logLevel: 'silent' });
    out.set(dep, result.outputFiles[0]!.text);
  }
  return out;
}
