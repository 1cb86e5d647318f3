/** Runs every Observatory test over a scan and grades it, for algorithm version 6 (or 5). */
import { testCookies } from './cookies.js';
import { corsFinding, testCors, testRedirection } from './cors-redirection.js';
import { testCsp } from './csp.js';
import { type Grading, gradeResults } from './grade.js';
import {
  testCoep,
  testCoop,
  testCorp,
  testHsts,
  testReferrerPolicy,
  testXContentTypeOptions,
  testXFrameOptions,
} from './header-tests.js';
import { isHtml, readHtml } from './html.js';
import { testSri } from './sri.js';
import { type AlgorithmVersion, headerValue, type Scan, type TestResult } from './types.js';

interface Analysis extends Grading {
  readonly algorithmVersion: AlgorithmVersion;
  readonly results: readonly TestResult[];
  /** Risks prismwatch reports outside the score, where the live Observatory's grade is blind to them. */
  readonly findings: readonly string[];
}

export function analyzeScan(scan: Scan, algorithmVersion: AlgorithmVersion = 6): Analysis {
  const html =
    scan.auto.body !== undefined && isHtml(headerValue(scan.auto.headers, 'content-type'))
      ? readHtml(scan.auto.body)
      : undefined;
  const csp = testCsp(scan, html?.cspMeta ?? []);
  const hsts = testHsts(scan);
  const results: TestResult[] = [
    csp.result,
    testCookies(scan.setCookies, hsts.pass === true),
    testCors(scan.preflight),
    testRedirection(scan),
    testReferrerPolicy(scan, html?.referrerMeta),
    hsts,
    testSri(scan.auto, html?.scripts ?? []),
    testXContentTypeOptions(scan),
    testXFrameOptions(scan, csp.headerHasFrameAncestors),
    testCorp(scan),
  ];
  if (algorithmVersion >= 6) results.push(testCoop(scan), testCoep(scan));
  const findings = [corsFinding(scan.preflight)].filter(
    (finding): finding is string => finding !== undefined,
  );
  return { algorithmVersion, results, findings, ...gradeResults(results) };
}
