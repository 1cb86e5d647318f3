/**
 * A cookie jar for one run of a flow: what a login step's Set-Cookie holds is sent back on the
 * later steps to the same host, as a browser or an API client's session would. It is deliberately
 * small (host-only, no path or expiry matching beyond deletion): a monitoring flow talks to one
 * application, and a run's jar lives for seconds. Never shared between runs.
 */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  /** Takes the Set-Cookie headers of a response from `url`. */
  store(url: URL, setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      const jar = this.byHost.get(url.hostname) ?? new Map<string, string>();
      this.byHost.set(url.hostname, jar);
      if (deletes(attributes)) jar.delete(name);
      else jar.set(name, value);
    }
  }

  /** The Cookie header for a request to `url`, or undefined when the jar has nothing for its host. */
  header(url: URL): string | undefined {
    const jar = this.byHost.get(url.hostname);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Max-Age ≤ 0 or an Expires in the past: the server is logging the session out. */
function deletes(attributes: readonly string[]): boolean {
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=', 2).map((part) => part.trim());
    if (key.toLowerCase() === 'max-age' && Number(value) <= 0) return true;
    if (key.toLowerCase() === 'expires' && Date.parse(value) < Date.now()) return true;
  }
  return false;
}
