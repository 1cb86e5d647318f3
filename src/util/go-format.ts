/**
 * Numbers as Prometheus's alert templates print them, so an annotation prismwatch renders reads
 * the same as the one Prometheus renders from `rules export` (test/rules/export-templates.test.ts
 * runs both through promtool). Go formats the exact binary value and breaks ties to even; V8's
 * toExponential/toFixed break them upward, so ties are found and settled here. A tie is exact: a
 * double's expansion differs from the midpoint within ~17 significant digits when it is not one,
 * so 40 digits settle it.
 */

function special(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return undefined;
}

/**
 * Keeps `kept` digits of a long digit string, ties to even, as Go rounds. A carry out of the
 * first digit (9.9996 → 10.00) makes the result one digit longer.
 */
function roundDigits(long: string, kept: number): string {
  const head = long.slice(0, kept);
  const next = long[kept] ?? '0';
  const rest = long.slice(kept + 1);
  const tie = next === '5' && /^0*$/.test(rest);
  const up = next > '5' || (next === '5' && !tie) || (tie && kept > 0 && Number(head[kept - 1]) % 2 === 1);
  if (!up) return head;
  return (BigInt(head || '0') + 1n).toString().padStart(kept, '0');
}

/** Go's `%.<prec>g` (strconv 'g' with a precision): 7.143, 1e+05, 0.0001234. */
export function goG(value: number, prec = 4): string {
  const odd = special(value);
  if (odd) return odd;
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(value).toExponential(40).split('e');
  const long = mantissa!.replace('.', '');
  const rounded = roundDigits(long, prec);
  const exponent = Number(exponentText) + (rounded.length > prec ? 1 : 0);
  const digits = rounded.slice(0, prec).replace(/0+$/, '');
  const nd = digits.length;
  const dp = exponent + 1;
  let eprec = prec;
  if (eprec > nd && nd >= dp) eprec = nd;
  if (exponent < -4 || exponent >= eprec) {
    const fraction = digits.slice(1);
    const exp = Math.abs(exponent).toString().padStart(2, '0');
    return `${sign}${digits[0]}${fraction ? `.${fraction}` : ''}e${exponent < 0 ? '-' : '+'}${exp}`;
  }
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= nd) return `${sign}${digits}${'0'.repeat(dp - nd)}`;
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/** Go's `%.<decimals>f`. */
export function goF(value: number, decimals: number): string {
  const odd = special(value);
  if (odd) return odd;
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const long = Math.abs(value).toFixed(Math.min(100, decimals + 40));
  const [whole, fraction = ''] = long.split('.');
  const all = roundDigits(whole! + fraction, whole!.length + decimals);
  const cut = all.length - decimals;
  const text = decimals > 0 ? `${all.slice(0, cut) || '0'}.${all.slice(cut)}` : all;
  return sign + text;
}

const SMALL_PREFIXES = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const LARGE_PREFIXES = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** Scales |value| below 1 up by thousands, naming the SI prefix it took. */
function scaleSmall(value: number): [number, string] {
  let prefix = '';
  for (const next of SMALL_PREFIXES) {
    if (Math.abs(value) >= 1) break;
    prefix = next;
    value *= 1000;
  }
  return [value, prefix];
}

/** Prometheus's `humanize`: 503, 1.235k, 333.3m. */
export function humanize(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return goG(value);
  if (Math.abs(value) >= 1) {
    let prefix = '';
    for (const next of LARGE_PREFIXES) {
      if (Math.abs(value) < 1000) break;
      prefix = next;
      value /= 1000;
    }
    return `${goG(value)}${prefix}`;
  }
  const [scaled, prefix] = scaleSmall(value);
  return `${goG(scaled)}${prefix}`;
}

/** Prometheus's `humanizePercentage`: 0.0714 → 7.14%. */
export function humanizePercentage(value: number): string {
  return `${goG(value * 100)}%`;
}

/** Prometheus's `humanizeDuration`, seconds in: 2.51s, 123ms, 1m 30s, 2d 3h 0m 5s. */
export function humanizeDuration(value: number): string {
  if (!Number.isFinite(value)) return goG(value);
  if (value === 0) return `${goG(value)}s`;
  if (Math.abs(value) >= 1) {
    const sign = value < 0 ? '-' : '';
    const magnitude = Math.abs(value);
    const whole = Math.trunc(magnitude);
    const seconds = whole % 60;
    const minutes = Math.trunc(whole / 60) % 60;
    const hours = Math.trunc(whole / 3600) % 24;
    const days = Math.trunc(whole / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG(magnitude)}s`;
  }
  const [scaled, prefix] = scaleSmall(value);
  return `${goG(scaled)}${prefix}s`;
}
