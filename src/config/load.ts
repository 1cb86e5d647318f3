/**
 * YAML files → one validated, frozen Config. Every problem in every file is collected (not just
 * the first), each with file, line, column and key path.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import type { ConfigIssue } from '../errors.js';
import { ConfigError } from '../errors.js';
import { type AgentSpec, agentSchema, assignedTo, toAgentSpec } from '../locations/agent-spec.js';
import type { ProbeSpec } from '../model/probe.js';
import { timeIntervalSchema } from '../muting/time-intervals.js';
import { buildNotifyConfig, type NotifySections } from '../notify/config/build.js';
import type { NotifyConfig } from '../notify/config/model.js';
import {
  globalSchema,
  inhibitRuleSchema,
  NOTIFY_SECTIONS,
  notifyKeysAt,
  receiverSchema,
  routeSchema,
  silenceSchema,
} from '../notify/config/schema.js';
import { PROBERS, proberFor } from '../probers/index.js';
import type { RuleSpec } from '../rules/rule.js';
import { ruleSchema, toRuleSpec, validateRule } from '../rules/schema.js';
import {
  COMPONENT_KEYS,
  componentProbes,
  STATUS_PAGE_KEYS,
  type StatusPageSpec,
  SUBSCRIPTION_KEYS,
  statusPageSchema,
  toStatusPageSpec,
} from '../server/status-pages/page-spec.js';
import type { SloSpec } from '../slo/model.js';
import { sloSchema, toSloSpec } from '../slo/schema.js';
import { formatDuration } from '../util/duration.js';
import { buildSpec, type Defaults, siteOf } from './build-spec.js';
import { discoverConfigFiles, displayPath } from './discover.js';
import { checkTemplate } from './discovered-probes.js';
import { DISCOVERY_KEYS, type DiscoverySpec, discoverySchema } from './discovery-spec.js';
import type { Env, Inserted } from './interpolate.js';
import { closest, toConfigIssues } from './issues.js';
import { commonProbeShape, defaultsSchema, fileSchema, probeSchemaFor } from './schema.js';
import { scrubIssues } from './scrub.js';
import { firstInvalidUtf8, positionOf } from './utf8.js';
import { formatPath, type PathSegment, YamlSource } from './yaml-source.js';

export interface Config {
  readonly probes: readonly ProbeSpec[];
  readonly rules: readonly RuleSpec[];
  /** Service level objectives over the probes' runs (slo/). */
  readonly slos: readonly SloSpec[];
  /** Routing, receivers, inhibition and config silences (the embedded default: all to the log). */
  readonly notify: NotifyConfig;
  readonly files: readonly string[];
  /** sha256 over the files' contents: a reload with the same checksum changes nothing. */
  readonly checksum: string;
  /** Agents at private locations (`agents:`, locations/agent-spec.ts); empty without. */
  readonly agents: readonly AgentSpec[];
  /**
   * The definitions of the probes agents run, as the agents load them (agent-definition.ts):
   * by probe name. Empty without agents.
   */
  readonly definitions: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Status pages for people outside the team (`status_pages:`, server/status-pages/); empty without. */
  readonly statusPages: readonly StatusPageSpec[];
  /** Sources of discovered probes (`discovery:`, discovered-probes.ts); empty without. */
  readonly discovery: readonly DiscoverySpec[];
}

/** Keys whose values are file paths, resolved against the config file's directory. */
const PATH_KEYS = new Set(['ca_file', 'cert_file', 'key_file', 'tests']);

function knownKeysFor(raw: unknown) {
  return (path: readonly PathSegment[]): string[] => {
    if (path.length === 0) return Object.keys(fileSchema.shape);
    if (path[0] === 'defaults' && path.length === 1) return Object.keys(defaultsSchema.shape);
    if (path[0] === 'rules' && path.length === 2) return Object.keys(ruleSchema.shape);
    if (path[0] === 'rules' && path[2] === 'select' && path.length === 3) return ['names', 'kinds', 'labels'];
    if (path[0] === 'slos' && path.length === 2) return Object.keys(sloSchema.shape);
    if (path[0] === 'agents' && path.length === 2) return Object.keys(agentSchema.shape);
    if (path[0] === 'status_pages' && path.length === 2) return STATUS_PAGE_KEYS;
    if (path[0] === 'status_pages' && path[2] === 'components' && path.length === 4) return COMPONENT_KEYS;
    if (path[0] === 'status_pages' && path[2] === 'components' && path[4] === 'select' && path.length === 5)
      return ['names', 'kinds', 'labels'];
    if (path[0] === 'status_pages' && path[2] === 'subscriptions' && path.length === 3)
      return SUBSCRIPTION_KEYS;
    if (path[0] === 'status_pages' && path[2] === 'subscriptions' && path[3] === 'email' && path.length === 4)
      return notifyKeysAt(['receivers', 0, 'email_configs', 0]).filter((key) => key !== 'to');
    if (path[0] === 'status_pages' && path[2] === 'show' && path.length === 3)
      return ['history', 'latency', 'incidents'];
    if (path[0] === 'agents' && path[2] === 'probes' && path.length === 3)
      return ['names', 'kinds', 'labels'];
    if (path[0] === 'slos' && path[2] === 'select' && path.length === 3) return ['names', 'kinds', 'labels'];
    if (NOTIFY_SECTIONS.includes(path[0] as never)) return notifyKeysAt(path);
    if (path[0] === 'discovery' && path.length === 2) return [...DISCOVERY_KEYS.source];
    if (path[0] === 'discovery' && path.length === 3 && (path[2] === 'file_sd' || path[2] === 'http_sd'))
      return [...DISCOVERY_KEYS[path[2]]];
    const template = path[0] === 'discovery' && path[2] === 'template';
    if ((path[0] === 'probes' || template) && typeof path[1] === 'number') {
      const probe = template
        ? (raw as { discovery?: Array<{ template?: { kind?: unknown } }> }).discovery?.[path[1]]?.template
        : (raw as { probes?: Array<{ kind?: unknown }> }).probes?.[path[1]];
      const depth = template ? 3 : 2;
      const schema = typeof probe?.kind === 'string' ? probeSchemaFor(probe.kind) : undefined;
      if (path.length === depth) return Object.keys(schema?.shape ?? commonProbeShape);
      // Nested mappings (tls, expect, auth): read the nested shape off the kind's schema.
      let shape: unknown = schema;
      for (const segment of path.slice(depth)) {
        shape = unwrap(shape)?.shape?.[segment as string];
      }
      return Object.keys(unwrap(shape)?.shape ?? {});
    }
    return [];
  };
}

/** Looks through optional/default/pipe wrappers to the object schema inside. */
function unwrap(schema: unknown): { shape?: Record<string, unknown> } | undefined {
  let current = schema as {
    shape?: Record<string, unknown>;
    unwrap?: () => unknown;
    def?: { in?: unknown; innerType?: unknown };
  };
  for (let i = 0; i < 5 && current && !current.shape; i++) {
    current = (current.def?.innerType ?? current.def?.in ?? current.unwrap?.()) as typeof current;
  }
  return current;
}

function withoutFailed(source: YamlSource, issues: ConfigIssue[]): ConfigIssue[] {
  return issues.filter((issue) => !source.failedPaths.has(issue.path));
}

/** Where a probe name was written, valid probe or not, so duplicates are found in the same pass as every other problem. */
interface NamedEntry {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly nameIssue: (message: string) => ConfigIssue;
}

interface FileResult {
  probes: ProbeSpec[];
  names: NamedEntry[];
  /** Values this file took from the environment (scrub.ts). */
  inserted: Inserted[];
  rules: Array<{ spec: RuleSpec; nameIssue: (message: string) => ConfigIssue }>;
  slos: Array<{ spec: SloSpec; nameIssue: (message: string) => ConfigIssue }>;
  agents: Array<{ spec: AgentSpec; issueAt: (key: string, message: string) => ConfigIssue }>;
  statusPages: Array<{
    spec: StatusPageSpec;
    issueAt: (path: PathSegment[], message: string) => ConfigIssue;
  }>;
  discovery: Array<{ spec: DiscoverySpec; nameIssue: (message: string) => ConfigIssue }>;
  /** Each valid probe's mapping as written (interpolated), for the agents that may run it. */
  definitions: Map<string, Record<string, unknown>>;
  notify: NotifySections;
  issues: ConfigIssue[];
}

function loadFile(file: string, text: string, env: Env): FileResult {
  const shown = displayPath(file);
  const source = new YamlSource(shown, text, env);
  const result: FileResult = {
    probes: [],
    names: [],
    inserted: source.inserted,
    rules: [],
    slos: [],
    agents: [],
    statusPages: [],
    discovery: [],
    definitions: new Map(),
    notify: emptyNotifySections(),
    issues: [...source.issues],
  };
  if (!source.parsed) return result;
  source.resolvePaths(PATH_KEYS, dirname(resolve(file)));
  const js = source.toJS();
  if ('issue' in js) {
    result.issues.push(js.issue);
    return result;
  }
  const raw = js.value ?? {};
  const known = knownKeysFor(raw);
  const parsedFile = fileSchema.safeParse(raw);
  if (!parsedFile.success) {
    result.issues.push(...withoutFailed(source, toConfigIssues(source, [], parsedFile.error.issues, known)));
    return result;
  }
  const defaults: Defaults = parsedFile.data.defaults ?? {};
  loadRules(source, parsedFile.data.rules ?? [], known, result);
  for (const [index, entry] of (parsedFile.data.slos ?? []).entries()) {
    const path: PathSegment[] = ['slos', index];
    const parsed = parseAt(source, sloSchema, entry, path, known, result);
    if (!parsed) continue;
    const line = source.position(source.document.getIn(path, true) as never).line;
    result.slos.push({
      spec: Object.freeze(toSloSpec(parsed, { file: source.file, line })),
      nameIssue: (message) => source.issueAt([...path, 'name'], message),
    });
  }
  for (const [index, entry] of (parsedFile.data.agents ?? []).entries()) {
    const path: PathSegment[] = ['agents', index];
    const parsed = parseAt(source, agentSchema, entry, path, known, result);
    if (!parsed) continue;
    const line = source.position(source.document.getIn(path, true) as never).line;
    result.agents.push({
      spec: toAgentSpec(parsed, { file: source.file, line }),
      issueAt: (key, message) => source.issueAt([...path, key], message),
    });
  }
  for (const [index, entry] of (parsedFile.data.status_pages ?? []).entries()) {
    const path: PathSegment[] = ['status_pages', index];
    const parsed = parseAt(source, statusPageSchema, entry, path, known, result);
    if (!parsed) continue;
    const line = source.position(source.document.getIn(path, true) as never).line;
    result.statusPages.push({
      spec: toStatusPageSpec(parsed, { file: source.file, line }),
      issueAt: (segments, message) => source.issueAt([...path, ...segments], message),
    });
  }
  for (const [index, entry] of (parsedFile.data.discovery ?? []).entries()) {
    const path: PathSegment[] = ['discovery', index];
    const parsed = parseAt(source, discoverySchema, entry, path, known, result);
    if (!parsed) continue;
    const templateIssues = templateProblems(source, parsed.template, [...path, 'template'], known);
    result.issues.push(...templateIssues);
    if (templateIssues.length > 0) continue;
    const line = source.position(source.document.getIn(path, true) as never).line;
    const base = dirname(resolve(file));
    result.discovery.push({
      spec: Object.freeze({
        name: parsed.name,
        ...(parsed.file_sd
          ? {
              fileSd: {
                ...parsed.file_sd,
                files: parsed.file_sd.files.map((pattern) => resolve(base, pattern)),
              },
            }
          : {}),
        ...(parsed.http_sd ? { httpSd: parsed.http_sd } : {}),
        maxTargets: parsed.max_targets,
        template: parsed.template,
        defaults,
        source: { file: source.file, line },
      }),
      nameIssue: (message) => source.issueAt([...path, 'name'], message),
    });
  }
  loadNotifySections(source, parsedFile.data, known, result);
  for (const [index, entry] of (parsedFile.data.probes ?? []).entries()) {
    const path: PathSegment[] = ['probes', index];
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      result.issues.push(source.issueAt(path, 'expected a probe mapping with name and kind', { got: true }));
      continue;
    }
    const name = (entry as { name?: unknown }).name;
    if (typeof name === 'string') {
      result.names.push({
        name,
        file: source.file,
        line: source.position(source.document.getIn(path, true) as never).line,
        nameIssue: (message) => source.issueAt([...path, 'name'], message),
      });
    }
    const kind = (entry as { kind?: unknown }).kind;
    if (typeof kind !== 'string') {
      result.issues.push(
        source.issueAt([...path, 'kind'], `expected one of ${Object.keys(PROBERS).join(', ')}`, {
          got: true,
        }),
      );
      continue;
    }
    const prober = proberFor(kind);
    if (!prober) {
      const suggestion = closest(kind, Object.keys(PROBERS));
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
      const found = source.issueAt([...path, 'kind'], `expected one of ${Object.keys(PROBERS).join(', ')}`, {
        got: true,
      });
      result.issues.push({ ...found, message: `${found.message}${hint}` });
      // Whatever the kind, the keys every probe has are checked too: one pass shows every problem.
      const common = COMMON_KEYS.safeParse(entry);
      if (!common.success)
        result.issues.push(
          ...withoutFailed(source, toConfigIssues(source, path, common.error.issues, known)),
        );
      continue;
    }
    const parsed = probeSchemaFor(kind)!.safeParse(entry);
    if (!parsed.success) {
      result.issues.push(...withoutFailed(source, toConfigIssues(source, path, parsed.error.issues, known)));
      continue;
    }
    const prefix = formatPath(path);
    if ([...source.failedPaths].some((failed) => failed.startsWith(prefix))) continue; // already reported
    const built = buildSpec(parsed.data as Record<string, unknown>, defaults, siteOf(source, path));
    if ('issues' in built) {
      result.issues.push(...built.issues);
      continue;
    }
    const problems = prober.validate?.(built.spec.settings, built.spec) ?? [];
    for (const [subPath, message] of problems)
      result.issues.push(source.issueAt([...path, ...subPath], message));
    if (problems.length > 0) continue;
    result.probes.push(built.spec);
    result.definitions.set(built.spec.name, entry as Record<string, unknown>);
  }
  return result;
}

/** A discovery template's kind and keys, located in the file (discovered-probes.ts checks it). */
function templateProblems(
  source: YamlSource,
  template: Record<string, unknown>,
  path: PathSegment[],
  known: ReturnType<typeof knownKeysFor>,
): ConfigIssue[] {
  const kind = template.kind;
  if (typeof kind !== 'string' || !proberFor(kind))
    return [
      source.issueAt([...path, 'kind'], `expected one of ${Object.keys(PROBERS).join(', ')}`, {
        got: true,
      }),
    ];
  return withoutFailed(source, toConfigIssues(source, path, checkTemplate(template), known));
}

function loadRules(
  source: YamlSource,
  rules: readonly unknown[],
  known: ReturnType<typeof knownKeysFor>,
  result: FileResult,
): void {
  for (const [index, entry] of rules.entries()) {
    const path: PathSegment[] = ['rules', index];
    const parsed = ruleSchema.safeParse(entry);
    if (!parsed.success) {
      result.issues.push(...withoutFailed(source, toConfigIssues(source, path, parsed.error.issues, known)));
      continue;
    }
    const problems = validateRule(parsed.data);
    for (const [subPath, message] of problems)
      result.issues.push(source.issueAt([...path, ...subPath], message));
    if (problems.length > 0) continue;
    const line = source.position(source.document.getIn(path, true) as never).line;
    result.rules.push({
      spec: Object.freeze(toRuleSpec(parsed.data, { file: source.file, line })),
      nameIssue: (message) => source.issueAt([...path, 'alert'], message),
    });
  }
}

/** Parses one section entry with its schema; problems go to `result.issues`, the value is returned when valid. */
function parseAt<T>(
  source: YamlSource,
  schema: z.ZodType<T, unknown>,
  value: unknown,
  path: PathSegment[],
  known: ReturnType<typeof knownKeysFor>,
  result: FileResult,
): T | undefined {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    result.issues.push(...withoutFailed(source, toConfigIssues(source, path, parsed.error.issues, known)));
    return undefined;
  }
  const prefix = formatPath(path);
  if ([...source.failedPaths].some((failed) => failed.startsWith(prefix))) return undefined;
  return parsed.data;
}

/** Routing sections before any file added to them: one shape for a file's and for all files'. */
function emptyNotifySections(): NotifySections {
  return {
    routes: [],
    receivers: [],
    invalidReceivers: [],
    inhibitRules: [],
    silences: [],
    timeIntervals: [],
    invalidTimeIntervals: [],
  };
}

function loadNotifySections(
  source: YamlSource,
  data: Record<string, unknown>,
  known: ReturnType<typeof knownKeysFor>,
  result: FileResult,
): void {
  const issueAtUnder = (base: PathSegment[]) => (path: PathSegment[], message: string) =>
    source.issueAt([...base, ...path], message);
  if (data.global !== undefined) {
    const value = parseAt(source, globalSchema, data.global, ['global'], known, result);
    if (value) result.notify.global = { value, issueAt: issueAtUnder(['global']) };
  }
  if (data.route !== undefined) {
    const value = parseAt(source, routeSchema, data.route, ['route'], known, result);
    if (value) result.notify.routes.push({ value, issueAt: issueAtUnder(['route']) });
  }
  for (const [index, entry] of ((data.receivers as unknown[] | undefined) ?? []).entries()) {
    const value = parseAt(source, receiverSchema, entry, ['receivers', index], known, result);
    if (value) result.notify.receivers.push({ value, issueAt: issueAtUnder(['receivers', index]) });
    else {
      // Already reported; routes naming it should not report it missing as well.
      const name = (entry as { name?: unknown } | null)?.name;
      if (typeof name === 'string') result.notify.invalidReceivers.push(name);
    }
  }
  for (const [index, entry] of ((data.inhibit_rules as unknown[] | undefined) ?? []).entries()) {
    const value = parseAt(source, inhibitRuleSchema, entry, ['inhibit_rules', index], known, result);
    if (value) result.notify.inhibitRules.push(value);
  }
  for (const [index, entry] of ((data.silences as unknown[] | undefined) ?? []).entries()) {
    const value = parseAt(source, silenceSchema, entry, ['silences', index], known, result);
    if (value) result.notify.silences.push(value);
  }
  for (const [index, entry] of ((data.time_intervals as unknown[] | undefined) ?? []).entries()) {
    const value = parseAt(source, timeIntervalSchema, entry, ['time_intervals', index], known, result);
    if (value) result.notify.timeIntervals.push({ value, issueAt: issueAtUnder(['time_intervals', index]) });
    else {
      // Already reported; routes naming it should not report it missing as well.
      const name = (entry as { name?: unknown } | null)?.name;
      if (typeof name === 'string') result.notify.invalidTimeIntervals.push(name);
    }
  }
}

/** A config file's text, or an issue naming the file (and for bad UTF-8 the line and column). */
function readConfigText(file: string): { text: string } | { issue: ConfigIssue } {
  const shown = displayPath(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return {
      issue: { file: shown, line: 0, column: 0, path: '', message: `could not read the file (${code})` },
    };
  }
  const invalid = firstInvalidUtf8(bytes);
  if (invalid !== -1) {
    const byte = bytes[invalid]!.toString(16).padStart(2, '0');
    return {
      issue: {
        file: shown,
        ...positionOf(bytes, invalid),
        path: '',
        message: `expected UTF-8 text, got the byte 0x${byte} (save the file as UTF-8)`,
      },
    };
  }
  return { text: bytes.toString('utf8') };
}

/** The keys every probe has, for a probe whose kind is unknown (its own keys cannot be judged). */
const COMMON_KEYS = z.object(
  Object.fromEntries(Object.entries(commonProbeShape).filter(([key]) => key !== 'kind')),
);

/**
 * Files in the order they were loaded (each file's problems are collected in that order), then by
 * line and column within each: `check` prints problems as an editor lists them.
 */
function sortedIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const order = new Map<string, number>();
  for (const issue of issues) if (!order.has(issue.file)) order.set(issue.file, order.size);
  return [...issues].sort(
    (a, b) => order.get(a.file)! - order.get(b.file)! || a.line - b.line || a.column - b.column,
  );
}

export function loadConfig(paths: readonly string[], env: Env = process.env): Config {
  const files = discoverConfigFiles(paths);
  return loadTexts(files, readConfigText, env);
}

/**
 * A config given as text rather than files (what an agent is assigned: `file` names where it
 * came from in messages). The same validation as files get, problems located the same way.
 */
export function loadConfigText(file: string, text: string, env: Env = {}): Config {
  return loadTexts([file], () => ({ text }), env);
}

function loadTexts(
  files: readonly string[],
  read: (file: string) => { text: string } | { issue: ConfigIssue },
  env: Env,
): Config {
  const hash = createHash('sha256');
  const issues: ConfigIssue[] = [];
  const probes: ProbeSpec[] = [];
  const firstByName = new Map<string, NamedEntry>();
  const inserted: Inserted[] = [];
  const rules: RuleSpec[] = [];
  const firstRule = new Map<string, RuleSpec>();
  const slos: SloSpec[] = [];
  const agents: Array<FileResult['agents'][number]> = [];
  const statusPages: Array<FileResult['statusPages'][number]> = [];
  const discovery: DiscoverySpec[] = [];
  const definitions = new Map<string, Record<string, unknown>>();
  const notifySections = emptyNotifySections();
  for (const file of files) {
    const found = read(file);
    if ('issue' in found) {
      issues.push(found.issue);
      continue;
    }
    const text = found.text;
    hash.update(file).update('\0').update(text).update('\0');
    const result = loadFile(file, text, env);
    issues.push(...result.issues);
    inserted.push(...result.inserted);
    if (result.notify.global) {
      if (notifySections.global)
        issues.push(result.notify.global.issueAt([], 'expected one `global` section across all files'));
      else notifySections.global = result.notify.global;
    }
    notifySections.routes.push(...result.notify.routes);
    notifySections.receivers.push(...result.notify.receivers);
    notifySections.invalidReceivers.push(...result.notify.invalidReceivers);
    notifySections.inhibitRules.push(...result.notify.inhibitRules);
    notifySections.silences.push(...result.notify.silences);
    notifySections.timeIntervals.push(...result.notify.timeIntervals);
    notifySections.invalidTimeIntervals.push(...result.notify.invalidTimeIntervals);
    for (const entry of result.names) {
      const first = firstByName.get(entry.name);
      if (first) {
        issues.push(
          entry.nameIssue(
            `duplicate probe name "${entry.name}" (first defined at ${first.file}:${first.line})`,
          ),
        );
      } else {
        firstByName.set(entry.name, entry);
      }
    }
    probes.push(...result.probes);
    agents.push(...result.agents);
    statusPages.push(...result.statusPages);
    addUniquelyNamed(discovery, result.discovery, 'discovery source', issues);
    for (const [name, definition] of result.definitions) definitions.set(name, definition);
    for (const { spec, nameIssue } of result.rules) {
      const key = `${spec.alert}\u0000${spec.severity}`;
      const first = firstRule.get(key);
      if (first) {
        issues.push(
          nameIssue(
            `duplicate rule ${spec.alert} with severity ${spec.severity} (first defined at ${first.source.file}:${first.source.line})`,
          ),
        );
        continue;
      }
      firstRule.set(key, spec);
      rules.push(spec);
    }
    addUniquelyNamed(slos, result.slos, 'SLO name', issues);
  }
  const notify = buildNotifyConfig(notifySections, issues);
  issues.push(...agentIssues(agents));
  issues.push(...statusPageIssues(statusPages, probes));
  if (issues.length > 0) throw new ConfigError(scrubIssues(sortedIssues(issues), inserted));
  const agentSpecs = agents.map((agent) => agent.spec);
  return Object.freeze({
    probes: Object.freeze(probes),
    rules: Object.freeze(rules),
    slos: Object.freeze(slos),
    notify,
    files: Object.freeze(files),
    checksum: hash.digest('hex'),
    agents: Object.freeze(agentSpecs),
    definitions: agentDefinitions(agentSpecs, probes, definitions),
    statusPages: Object.freeze(statusPages.map((page) => page.spec)),
    discovery: Object.freeze(discovery),
  });
}

/** Adds each named entry not named before; a second one of a name is an issue at its name. */
function addUniquelyNamed<T extends { name: string; source: { file: string; line: number } }>(
  into: T[],
  entries: ReadonlyArray<{ spec: T; nameIssue: (message: string) => ConfigIssue }>,
  what: string,
  issues: ConfigIssue[],
): void {
  for (const { spec, nameIssue } of entries) {
    const first = into.find((entry) => entry.name === spec.name);
    if (first)
      issues.push(
        nameIssue(
          `duplicate ${what} "${spec.name}" (first defined at ${first.source.file}:${first.source.line})`,
        ),
      );
    else into.push(spec);
  }
}

/**
 * Two pages with one slug or one host cannot both be served; a component that selects no probe
 * would always show "no data" (a typo in a probe name, usually): refused, each at its line.
 */
function statusPageIssues(
  pages: ReadonlyArray<FileResult['statusPages'][number]>,
  probes: readonly ProbeSpec[],
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const slugs = new Map<string, StatusPageSpec>();
  const hosts = new Map<string, StatusPageSpec>();
  for (const { spec, issueAt } of pages) {
    const sameSlug = slugs.get(spec.slug);
    if (sameSlug)
      issues.push(
        issueAt(
          ['slug'],
          `duplicate status page slug "${spec.slug}" (first at ${sameSlug.source.file}:${sameSlug.source.line})`,
        ),
      );
    else slugs.set(spec.slug, spec);
    if (spec.host) {
      const sameHost = hosts.get(spec.host);
      if (sameHost)
        issues.push(
          issueAt(['host'], `host "${spec.host}" is already the host of status page "${sameHost.slug}"`),
        );
      else hosts.set(spec.host, spec);
    }
    for (const [index, component] of spec.components.entries()) {
      if (componentProbes(component, probes).length === 0)
        issues.push(
          issueAt(
            ['components', index, 'select'],
            `component "${component.name}" selects no configured probe`,
          ),
        );
    }
  }
  return issues;
}

/** Two agents with one name, one location or one token cannot be told apart: refused, each at its line. */
function agentIssues(agents: ReadonlyArray<FileResult['agents'][number]>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const first = new Map<string, AgentSpec>();
  for (const { spec, issueAt } of agents) {
    for (const [key, value, what] of [
      ['name', `name:${spec.name}`, `agent name "${spec.name}"`],
      // A location not written is the name's: the problem is reported there.
      [
        spec.location === spec.name ? 'name' : 'location',
        `location:${spec.location}`,
        `location "${spec.location}" (one agent per location)`,
      ],
      ['token_sha256', `token:${spec.tokenSha256}`, 'token (each agent needs its own)'],
    ] as const) {
      const earlier = first.get(value);
      if (earlier)
        issues.push(
          issueAt(key, `duplicate ${what}: first at ${earlier.source.file}:${earlier.source.line}`),
        );
      else first.set(value, spec);
    }
  }
  return issues;
}

/**
 * What an agent loads for each probe it runs: the mapping as written, with what the file's
 * `defaults:` gave it made explicit, and every `${` escaped, because the control plane has already
 * taken the values from its environment (an agent does not need the control plane's secrets set).
 */
function agentDefinitions(
  agents: readonly AgentSpec[],
  probes: readonly ProbeSpec[],
  written: ReadonlyMap<string, Record<string, unknown>>,
): ReadonlyMap<string, Readonly<Record<string, unknown>>> {
  const out = new Map<string, Readonly<Record<string, unknown>>>();
  const pushed = (kind: string) => proberFor(kind)?.inbox !== undefined;
  for (const agent of agents)
    for (const spec of assignedTo(agent, probes, pushed)) {
      if (out.has(spec.name)) continue;
      const {
        interval: _interval,
        schedule: _schedule,
        timeout: _timeout,
        ...rest
      } = written.get(spec.name)!;
      out.set(
        spec.name,
        escapeReferences({
          ...rest,
          ...(spec.intervalMs !== undefined ? { interval: formatDuration(spec.intervalMs) } : {}),
          ...(spec.schedule !== undefined ? { schedule: spec.schedule } : {}),
          timeout: formatDuration(spec.timeoutMs),
          labels: { ...spec.labels },
        }) as Record<string, unknown>,
      );
    }
  return out;
}

function escapeReferences(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('${', '$${');
  if (Array.isArray(value)) return value.map(escapeReferences);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, escapeReferences(entry)]));
  return value;
}
