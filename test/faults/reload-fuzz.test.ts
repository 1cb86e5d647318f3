/**
 * A truncated or mangled config file on reload never takes down the running configuration:
 * every broken variant is refused with a located error, and the daemon keeps its probes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { YAML_NOISE } from '../helpers/yaml-noise.js';

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible variant. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const NOISE = YAML_NOISE;

function mutate(text: string, rand: () => number): string {
  const at = Math.floor(rand() * text.length);
  switch (Math.floor(rand() * 4)) {
    case 0:
      return text.slice(0, at); // truncated
    case 1:
      return text.slice(0, at) + NOISE[Math.floor(rand() * NOISE.length)] + text.slice(at); // inserted
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 20)); // deleted
    default:
      return text.slice(0, at) + NOISE[Math.floor(rand() * NOISE.length)] + text.slice(at + 1); // replaced
  }
}

describe('reloading broken configs', () => {
  it('refuses 300 truncated and mangled variants and keeps running the original', async () => {
    const original = ['probes/prismai.yaml', 'alerts/checklist.yaml', 'alerts/routing.yaml']
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const dir = configDir();
    dir.write('config.yaml', original.replace(/^# yaml-language-server.*$/gm, ''));
    const { daemon } = await startDaemon(dir.path, { logLevel: 'silent', env: {} });
    const clean = original.replace(/^# yaml-language-server.*$/gm, '');
    const rand = random(20261128);
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      let variant = original;
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) variant = mutate(variant, rand);
      const running = daemon.currentConfig;
      dir.write('config.yaml', variant);
      const outcome = await daemon.reload();
      if (!outcome.ok) {
        refused += 1;
        // A refusal always says where (file:line:column) and leaves the running config in place.
        expect(outcome.message, `variant ${i}`).toMatch(/config\.yaml:\d+:\d+/);
        expect(daemon.currentConfig, `variant ${i}`).toBe(running);
      } else {
        // A mutation can leave a valid (if smaller) config; go back to the original for the next one.
        dir.write('config.yaml', clean);
        expect((await daemon.reload()).ok).toBe(true);
      }
      expect((await fetch(`${daemon.baseUrl}/-/healthy`)).status).toBe(200);
    }
    // Most mutations break the file; some (in a comment or a string) leave it valid.
    expect(refused).toBeGreaterThan(150);
  }, 240_000);
});
