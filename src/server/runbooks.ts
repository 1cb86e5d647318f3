/**
 * The runbooks shipped in docs/runbooks/, served at /runbooks/<Alert>: every shipped rule's
 * runbook_url points here, so a link in a page or a mail opens what to do, from the daemon that
 * sent it (no wiki to keep in step). Plain text: Markdown reads well as it is, and nothing from
 * the file is interpreted by the browser. Names are alert names only, so no path can escape.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** docs/runbooks beside dist/ (npm package, container image) or src/ (tests). */
const DIR = fileURLToPath(new URL('../../docs/runbooks/', import.meta.url));
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const cache = new Map<string, string | undefined>();

export function runbook(name: string): string | undefined {
  if (!NAME.test(name)) return undefined;
  if (!cache.has(name)) {
    const file = `${DIR}${name}.md`;
    cache.set(name, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  }
  return cache.get(name);
}

/** The path a rule's runbook_url annotation uses; resolved against the external URL when sent. */
export const RUNBOOK_PATH = '/runbooks/';
