/**
 * A small web page on loopback for browser checks: a hero image that arrives late (the LCP), a
 * script that logs a console error, a script that 404s, and a button that reveals a greeting.
 */
import { randomBytes } from 'node:crypto';
import { type Running, withHttpServer } from './servers.js';

// An image of 600×400 intrinsic pixels (LCP counts the smaller of the shown and the intrinsic
// size, so a stretched 1×1 would not do) and of more than 0.05 bits per pixel (Chromium leaves
// low-entropy placeholders out of LCP): the page's largest contentful paint.
const HERO = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><!-- ${randomBytes(3_000).toString('base64')} --><rect width="600" height="400" fill="#7b5"/></svg>`;

export const PAGE_HTML = `<!doctype html>
<html><head><title>PrismAI</title></head>
<body>
<h1>PrismAI</h1>
<img id="hero" src="/slow.svg" width="600" height="400" alt="hero">
<button id="greet" onclick="document.getElementById('hello').hidden = false">Greet</button>
<p id="hello" hidden>Welcome back</p>
<script>console.error('boom: widget failed to initialise')</script>
<script src="/missing.js"></script>
</body></html>`;

export async function withWebPage(imageDelayMs = 600): Promise<Running> {
  return withHttpServer((req, res) => {
    if (req.url === '/slow.svg') {
      setTimeout(() => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(HERO), imageDelayMs);
      return;
    }
    if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE_HTML);
    if (req.url === '/down')
      return res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>maintenance</h1>');
    res.writeHead(404).end();
  });
}
