/**
 * `${NAME}` and `${NAME:-default}` in YAML string values, so hosts and secrets come from the
 * environment instead of the config repository. `$${` writes a literal `${`.
 * An unset variable without a default is an error: a probe against "http:///health" helps nobody.
 * `${steps.NAME.VAR}` is left as written: it is a value a multi_http flow extracts at run time
 * (probers/multi_http/template.ts), and no environment variable has a dot in its name. So is
 * `${target.address}` / `${target.labels.NAME}`: a discovered target's, filled per target
 * (config/discovered-probes.ts).
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** A value taken from the environment: what error messages must never show. */
export interface Inserted {
  readonly name: string;
  readonly value: string;
}

type Interpolation =
  | { ok: true; value: string; usedVariables: string[]; inserted: Inserted[] }
  | { ok: false; message: string };

const REFERENCE_RE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RUNTIME_REFERENCE_PREFIXES = ['steps.', 'target.'];

export function hasReference(text: string): boolean {
  return text.includes('${');
}

export function interpolate(text: string, env: Env): Interpolation {
  const usedVariables: string[] = [];
  const inserted: Inserted[] = [];
  let failure: string | undefined;
  const value = text.replace(REFERENCE_RE, (whole, body: string | undefined) => {
    if (whole === '$${') return '${';
    const inner = body ?? '';
    if (RUNTIME_REFERENCE_PREFIXES.some((prefix) => inner.startsWith(prefix))) return whole;
    const separator = inner.indexOf(':-');
    const name = separator === -1 ? inner : inner.slice(0, separator);
    if (!NAME_RE.test(name)) {
      failure ??= `"\${${inner}}" is not a valid variable reference; use \${NAME} or \${NAME:-default}`;
      return '';
    }
    usedVariables.push(name);
    const found = env[name];
    if (found !== undefined && found !== '') {
      inserted.push({ name, value: found });
      return found;
    }
    if (separator !== -1) return inner.slice(separator + 2);
    failure ??= `environment variable ${name} is not set (write \${${name}:-default} to give a default)`;
    return '';
  });
  return failure === undefined
    ? { ok: true, value, usedVariables, inserted }
    : { ok: false, message: failure };
}
