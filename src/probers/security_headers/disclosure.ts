/**
 * Response headers that disclose implementation details (OWASP Secure Headers Project,
 * ci/headers_remove.json): reported as findings, never part of the score.
 */
const NAMES = new Set([
  'server',
  'x-powered-by',
  'x-aspnet-version',
  'x-aspnetmvc-version',
  'x-php-version',
  'x-generator',
  'x-redirect-by',
  'x-framework',
  'x-powered-cms',
  'x-varnish-backend',
  'x-varnish-server',
  'sourcemap',
  'x-sourcemap',
  'liferay-portal',
  'x-mod-pagespeed',
  'x-page-speed',
  'x-turbo-charged-by',
]);
const PREFIXES = ['x-nextjs-', 'x-envoy-', 'x-kong-', 'x-datadog-', 'x-b3-', 'x-litespeed-'];

export function disclosingHeaders(headers: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => NAMES.has(name) || PREFIXES.some((prefix) => name.startsWith(prefix)))
    .sort();
}
