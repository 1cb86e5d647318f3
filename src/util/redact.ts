/**
 * URLs as they may be shown in logs, errors, metrics and the status page: no userinfo, and the
 * values of query parameters whose names say they carry a secret replaced by "<redacted>".
 */
const SECRET_PARAM_RE = /(token|secret|password|passwd|pwd|key|sig|signature|auth|credential|session)/i;

export function redactUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(input.toString());
  } catch {
    return '<invalid url>';
  }
  url.username = '';
  url.password = '';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAM_RE.test(name)) url.searchParams.set(name, '<redacted>');
  }
  // URLSearchParams percent-encodes "<" and ">"; put them back so the marker reads well.
  return url.toString().replaceAll('%3Credacted%3E', '<redacted>');
}
