/** `prismwatch check`: validate config files, print every problem, exit 1 on any. */
import type { Env } from '../config/interpolate.js';
import { loadConfig } from '../config/load.js';
import { ConfigError, PrismwatchError } from '../errors.js';
import { everyIntegration } from '../notify/config/model.js';
import { selects } from '../rules/rule.js';

export function runCheck(
  paths: readonly string[],
  env: Env,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): number {
  try {
    const config = loadConfig(paths, env);
    const kinds = new Map<string, number>();
    for (const probe of config.probes) kinds.set(probe.kind, (kinds.get(probe.kind) ?? 0) + 1);
    const byKind = [...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
    const rules = config.rules.length > 0 ? `, ${config.rules.length} rule(s)` : '';
    const slos = config.slos.length > 0 ? `, ${config.slos.length} SLO(s)` : '';
    // Their probes are made at run time, from what the sources read (docs/discovery.md).
    const sources = config.discovery.length > 0 ? `, ${config.discovery.length} discovery source(s)` : '';
    const receivers = [...config.notify.receivers.values()];
    out.write(
      `OK: ${config.files.length} file(s), ${config.probes.length} probe(s)${byKind ? ` (${byKind})` : ''}${rules}${slos}${sources}, ${receivers.length} receiver(s)\n`,
    );
    // Not an error: alerts/ may be checked apart from the probes it is about.
    for (const slo of config.slos)
      if (!config.probes.some((probe) => selects(slo.select, probe)))
        out.write(`note: SLO ${slo.name} selects no configured probe; it counts no events\n`);
    for (const receiver of receivers) {
      for (const integration of everyIntegration(receiver)) {
        if (integration.disabled)
          out.write(`note: ${integration.id} is switched off (${integration.disabled})\n`);
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      err.write(`${error.message}\n`);
      err.write(`${error.issues.length} problem(s) found\n`);
      return 1;
    }
    if (error instanceof PrismwatchError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
