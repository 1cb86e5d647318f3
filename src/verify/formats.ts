/** The four outputs of `prismwatch verify`: text (default), json, junit and markdown. */
import { renderTable } from '../util/table.js';
import type { Gate } from './gates.js';
import type { VerifyReport } from './report.js';

export const FORMATS = ['text', 'json', 'junit', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

const STATUS_TEXT = { pass: 'PASS', fail: 'FAIL', no_data: 'NO DATA' } as const;

export function formatText(report: VerifyReport): string {
  const rows = report.gates.map((gate) => [
    STATUS_TEXT[gate.status],
    gate.title,
    gate.status === 'fail' ? (gate.reason ?? gate.evidence) : gate.evidence,
  ]);
  const { passed, failed, noData } = report.summary;
  const verdict = report.ok
    ? `PASS: all ${passed} gates passed${noData ? ` (${noData} without data)` : ''}`
    : `FAIL: ${failed} of ${report.gates.length} gates failed`;
  return `prismwatch verify: ${report.probes} probes, ${report.gates.length} gates, ${report.durationSeconds} s\n\n${renderTable(['STATUS', 'GATE', 'EVIDENCE'], rows)}\n${verdict}\n`;
}

export function formatJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
function xml(text: string): string {
  // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
  return text
    .replace(/[&<>"']/g, (char) => XML_ESCAPES[char]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** JUnit XML as Jenkins, GitLab and GitHub test reporters read it: one testcase per gate. */
export function formatJunit(report: VerifyReport): string {
  const cases = report.gates.map((gate) => {
    const open = `    <testcase classname="prismwatch.${gate.type}.${xml(gate.probe)}" name="${xml(gate.title)}" time="${(gate.seconds ?? 0).toFixed(3)}">`;
    if (gate.status === 'fail')
      return `${open}\n      <failure message="${xml(gate.reason ?? 'failed')}" type="${gate.type}">${xml(gate.evidence)}</failure>\n    </testcase>`;
    if (gate.status === 'no_data')
      return `${open}\n      <skipped message="${xml(gate.evidence)}"/>\n    </testcase>`;
    return `${open}\n      <system-out>${xml(gate.evidence)}</system-out>\n    </testcase>`;
  });
  const { failed, noData } = report.summary;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="prismwatch verify" tests="${report.gates.length}" failures="${failed}" skipped="${noData}" time="${report.durationSeconds}">
  <testsuite name="prismwatch verify" tests="${report.gates.length}" failures="${failed}" skipped="${noData}" errors="0" time="${report.durationSeconds}" timestamp="${report.startedAt}">
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}

const ITEM_RE = /^(\s*[-*] )\[[ xX]\] (.+?)\s*$/;
const normalise = (text: string) => text.trim().toLowerCase();

/**
 * The checklist itself with verified items ticked and the evidence beside them, failed items left
 * open with the measured value and the reason, and what prismwatch cannot check left for a human.
 */
export function formatMarkdown(report: VerifyReport, checklist: string): string {
  const byItem = new Map<string, Gate[]>();
  for (const gate of report.gates) {
    for (const item of gate.checklist) {
      const key = normalise(item);
      byItem.set(key, [...(byItem.get(key) ?? []), gate]);
    }
  }
  const matched = new Set<string>();
  const lines = checklist.split('\n').map((line) => {
    const found = ITEM_RE.exec(line);
    if (!found) return line;
    const [, bullet, text] = found as unknown as [string, string, string];
    const gates = byItem.get(normalise(text));
    if (!gates) return line;
    matched.add(normalise(text));
    const failed = gates.filter((gate) => gate.status === 'fail');
    if (failed.length > 0)
      return `${bullet}[ ] ${text} — **FAILED** (prismwatch): ${failed.map((gate) => `${gate.probe}: ${gate.reason ?? gate.evidence}`).join('; ')}`;
    const passed = gates.filter((gate) => gate.status === 'pass');
    if (passed.length === 0)
      return `${bullet}[ ] ${text} — no data (prismwatch): ${gates.map((gate) => gate.evidence).join('; ')}`;
    return `${bullet}[x] ${text} — verified by prismwatch: ${passed.map((gate) => `${gate.probe}: ${gate.evidence}`).join('; ')}`;
  });
  const { passed, failed, noData } = report.summary;
  const header = [
    `> **prismwatch verify** ${report.finishedAt}: ${report.ok ? 'PASS' : 'FAIL'} — ${passed} gates passed, ${failed} failed${noData ? `, ${noData} without data` : ''} (${report.probes} probes, ${report.samples} samples per HTTP probe, ${report.durationSeconds} s). Items marked [x] were checked from outside; unmarked items without a note are for a person to check.`,
    '',
  ];
  const unmatched = [...byItem.keys()].filter((item) => !matched.has(item));
  const footer: string[] =
    unmatched.length === 0
      ? []
      : [
          '',
          '## Checked by prismwatch, not in this checklist',
          '',
          ...unmatched.map((item) => {
            const gates = byItem.get(item)!;
            const ok = gates.every((gate) => gate.status === 'pass');
            return `- [${ok ? 'x' : ' '}] ${gates[0]!.checklist.find((text) => normalise(text) === item)} — ${gates.map((gate) => `${gate.probe}: ${gate.status === 'fail' ? (gate.reason ?? gate.evidence) : gate.evidence}`).join('; ')}`;
          }),
        ];
  const compared = report.gates.filter((gate) => gate.type === 'regression');
  if (compared.length > 0)
    footer.push(
      '',
      '## Compared with the baseline',
      '',
      ...compared.map(
        (gate) =>
          `- [${gate.status === 'pass' ? 'x' : ' '}] ${gate.title} — ${gate.status === 'fail' ? `**FAILED**: ${gate.reason ?? gate.evidence}` : gate.evidence}`,
      ),
    );
  // The summary goes under the document's title, when it has one.
  const body = lines[0]?.startsWith('# ')
    ? [lines[0], '', ...header, ...lines.slice(1)]
    : [...header, ...lines];
  return `${[...body, ...footer].join('\n').trimEnd()}\n`;
}
