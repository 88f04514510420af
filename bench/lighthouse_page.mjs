// One Lighthouse run (mobile defaults) in a Chromium that is already running,
// for `python -m bench lighthouse` (bench/lighthouse.py starts the browser).
//
//   node bench/lighthouse_page.mjs PORT URL OUT.json
//
// Lighthouse drives a new tab of the browser listening on PORT (so it sees
// that browser's profile: its cookies, IndexedDB and service worker, kept as
// they are with disableStorageReset), and then the same tab is asked what it
// shows: its title, its URL and the text of its h1. That is how the caller
// knows the audited page was the screen it meant and not the sign-in screen.
// OUT.json gets {lhr, title, url, h1}.
import { writeFile } from 'node:fs/promises';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [port, url, out] = process.argv.slice(2);
if (!port || !url || !out) {
  console.error('usage: node lighthouse_page.mjs PORT URL OUT.json');
  process.exit(2);
}

const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}`, defaultViewport: null });
try {
  const page = await browser.newPage();
  const flags = {
    port: Number(port),
    disableStorageReset: true,
    onlyCategories: ['performance', 'accessibility', 'best-practices'],
    output: 'json',
    logLevel: 'error',
  };
  // No config: Lighthouse's defaults, a mobile form factor, screen emulation
  // and simulated throttling.
  const result = await lighthouse(url, flags, undefined, page);
  if (!result) throw new Error('Lighthouse returned no result');
  const shown = await page.evaluate(() => ({
    title: document.title,
    url: location.href,
    h1: document.querySelector('main h1')?.textContent.trim() ?? null,
  }));
  await writeFile(out, JSON.stringify({ lhr: result.lhr, ...shown }));
  await page.close();
} finally {
  await browser.disconnect();
}
