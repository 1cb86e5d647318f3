/** Metric names in PromQL, for tests that check dashboards query only what prismwatch exports. */
const PROMQL_WORDS = new Set(
  'sum count min max avg rate increase irate histogram_quantile time vector or and unless by without on ignoring group_left group_right offset bool label_values abs clamp_min clamp_max label_replace'.split(
    ' ',
  ),
);

/** Metric names in a PromQL expression: strings, label matchers, ranges and grouping removed first. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map((match) => match[0])
    .filter((word) => !PROMQL_WORDS.has(word));
}

/** Whether `name` (or the histogram/summary it is a series of) is a family in `exposition`. */
export function exportedIn(exposition: string): (name: string) => boolean {
  const families = new Map(
    [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1]!, match[2]!]),
  );
  return (name) => {
    if (families.has(name)) return true;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return base !== name && (families.get(base) === 'histogram' || families.get(base) === 'summary');
  };
}
