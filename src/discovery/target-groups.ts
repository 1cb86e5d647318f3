/**
 * Prometheus's service-discovery target groups — `[{"targets": ["host:port", …], "labels": {…}}]`,
 * as file_sd files (JSON or YAML) and HTTP SD answers (JSON) carry them — read into targets. A
 * document that breaks the format is refused whole, as Prometheus refuses it: the source keeps
 * the targets it had, rather than losing some of them to a half-read file.
 */
import { parse as parseYaml } from 'yaml';

export interface DiscoveredTarget {
  /** As the group lists it: `host:port`, a host, or a URL — whatever the template makes of it. */
  readonly address: string;
  /** The group's labels, and the source's `__meta_*` ones. */
  readonly labels: Readonly<Record<string, string>>;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A target's address is text for a URL or a host: no control characters, no whitespace, bounded. */
const MAX_ADDRESS = 2_048;

export class TargetGroupError extends Error {}

function fail(message: string): never {
  throw new TargetGroupError(message);
}

/** Target groups from a parsed document; `meta` labels are added to every target. */
export function targetsFrom(
  document: unknown,
  meta: Readonly<Record<string, string>> = {},
): DiscoveredTarget[] {
  if (document === null || document === undefined) return [];
  if (!Array.isArray(document)) fail('expected a list of target groups ([{targets: [...], labels: {...}}])');
  const targets: DiscoveredTarget[] = [];
  for (const [index, group] of document.entries()) {
    const where = `target group ${index + 1}`;
    if (group === null || typeof group !== 'object' || Array.isArray(group))
      fail(`${where}: expected a mapping with targets and labels`);
    const { targets: addresses, labels = {}, ...rest } = group as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) fail(`${where}: unknown key "${extra[0]}" (expected targets and labels)`);
    if (!Array.isArray(addresses)) fail(`${where}: expected targets: a list of strings`);
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels))
      fail(`${where}: expected labels: a mapping of label names to strings`);
    const groupLabels: Record<string, string> = { ...meta };
    for (const [name, value] of Object.entries(labels as Record<string, unknown>)) {
      if (!LABEL_NAME_RE.test(name)) fail(`${where}: label name ${JSON.stringify(name)} is not valid`);
      if (typeof value !== 'string') fail(`${where}: label ${name}: expected a string value`);
      groupLabels[name] = value;
    }
    for (const address of addresses) {
      if (typeof address !== 'string' || address.length === 0 || address.length > MAX_ADDRESS)
        fail(`${where}: expected each target to be a non-empty string of at most ${MAX_ADDRESS} characters`);
      if (/[\s\u0000-\u001f\u007f]/.test(address))
        fail(`${where}: target ${JSON.stringify(address.slice(0, 80))} has whitespace or control characters`);
      targets.push({ address, labels: groupLabels });
    }
  }
  return targets;
}

/** A file_sd file's text: JSON for `.json`, YAML otherwise (as Prometheus decides by extension). */
export function parseTargetFile(path: string, text: string): DiscoveredTarget[] {
  let document: unknown;
  try {
    document = path.toLowerCase().endsWith('.json')
      ? JSON.parse(text)
      : parseYaml(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch (error) {
    fail(
      `not valid ${path.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return targetsFrom(document, { __meta_filepath: path });
}
