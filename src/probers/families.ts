/** Builders for the metric families facts sections declare, so each is one line in its folder. */
import { escapeLabelValue, formatValue } from '../util/exposition.js';
import type { MetricFamily } from './definition.js';

/** A gauge whose samples `render` writes from this probe's label set and facts. */
function gaugeFamily<F>(
  name: string,
  help: string,
  render: (labels: string, facts: F) => string,
): MetricFamily<F> {
  return { name, type: 'gauge', help, lines: render };
}

/** One sample: the value read off the facts, or no line when it is undefined. */
export function gauge<F>(
  name: string,
  help: string,
  value: (facts: F) => number | undefined,
): MetricFamily<F> {
  return gaugeFamily(name, help, (labels, facts) => {
    const v = value(facts);
    return v === undefined ? '' : `${name}{${labels}} ${formatValue(v)}\n`;
  });
}

/** An `_info`-style gauge: value 1, the fact as a label (escaped), no line when it is undefined. */
export function infoGauge<F>(
  name: string,
  help: string,
  label: string,
  value: (facts: F) => string | undefined,
): MetricFamily<F> {
  return gaugeFamily(name, help, (labels, facts) => {
    const v = value(facts);
    return v === undefined ? '' : `${name}{${labels},${label}="${escapeLabelValue(v)}"} 1\n`;
  });
}

/** One sample per item of a list in the facts, told apart by one label. */
export function gaugePer<F, Item>(
  name: string,
  help: string,
  items: (facts: F) => readonly Item[],
  label: (item: Item) => [string, string],
  value: (item: Item) => number,
): MetricFamily<F> {
  return gaugeFamily(name, help, (labels, facts) => {
    let out = '';
    for (const item of items(facts)) {
      const [labelName, labelValue] = label(item);
      out += `${name}{${labels},${labelName}="${escapeLabelValue(labelValue)}"} ${formatValue(value(item))}\n`;
    }
    return out;
  });
}
