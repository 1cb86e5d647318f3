/**
 * RDAP (RFC 9082/9083) as a domain's expiry needs it: the IANA bootstrap registry (RFC 9224)
 * names the server for a TLD, and the domain's `expiration` event says when its registration ends.
 * Parsing is pure and bounded: what a registry's server sends is untrusted input.
 */

/** Bootstrap services as [suffixes, base URLs], most specific suffix first when matched. */
export type Bootstrap = ReadonlyArray<readonly [readonly string[], readonly string[]]>;

export function parseBootstrap(text: string): Bootstrap | string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return 'the bootstrap file is not JSON';
  }
  const services = (document as { services?: unknown } | null)?.services;
  if (!Array.isArray(services)) return 'the bootstrap file has no "services" list (RFC 9224)';
  const parsed: Array<[string[], string[]]> = [];
  for (const service of services) {
    if (!Array.isArray(service) || !Array.isArray(service[0]) || !Array.isArray(service[1])) continue;
    const suffixes = service[0]
      .filter((item): item is string => typeof item === 'string')
      .map((s) => s.toLowerCase());
    const urls = service[1].filter(
      (item): item is string => typeof item === 'string' && /^https?:\/\//i.test(item),
    );
    if (suffixes.length > 0 && urls.length > 0) parsed.push([suffixes, urls]);
  }
  return parsed;
}

/**
 * The base URL for a domain: the service whose suffix matches the most labels (RFC 9224 §4),
 * HTTPS preferred.
 */
export function serverFor(bootstrap: Bootstrap, domain: string): string | undefined {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  for (let start = 1; start < labels.length; start++) {
    const suffix = labels.slice(start).join('.');
    const service = bootstrap.find(([suffixes]) => suffixes.includes(suffix));
    if (service) return service[1].find((url) => url.startsWith('https:')) ?? service[1][0];
  }
  return undefined;
}

export interface DomainRecord {
  /** Epoch ms of the `expiration` event; undefined when the registry publishes none. */
  readonly expiresAt?: number;
  readonly registeredAt?: number;
  readonly registrar?: string;
  readonly status: readonly string[];
}

interface RdapEvent {
  eventAction?: unknown;
  eventDate?: unknown;
}

function eventTime(events: unknown, action: string): number | undefined {
  if (!Array.isArray(events)) return undefined;
  const event = (events as RdapEvent[]).find((item) => item?.eventAction === action);
  const at = typeof event?.eventDate === 'string' ? Date.parse(event.eventDate) : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
}

/** The registrar's name: the `fn` of the vCard of the entity with role "registrar". */
function registrarName(entities: unknown): string | undefined {
  if (!Array.isArray(entities)) return undefined;
  for (const entity of entities as Array<{ roles?: unknown; vcardArray?: unknown }>) {
    if (!Array.isArray(entity?.roles) || !entity.roles.includes('registrar')) continue;
    const card = Array.isArray(entity.vcardArray) ? entity.vcardArray[1] : undefined;
    if (!Array.isArray(card)) continue;
    const fn = card.find((field: unknown) => Array.isArray(field) && field[0] === 'fn');
    if (Array.isArray(fn) && typeof fn[3] === 'string') return fn[3].slice(0, 200);
  }
  return undefined;
}

export function parseDomainRecord(text: string): DomainRecord | string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return 'the RDAP answer is not JSON';
  }
  if (document === null || typeof document !== 'object') return 'the RDAP answer is not an object';
  const record = document as {
    objectClassName?: unknown;
    events?: unknown;
    entities?: unknown;
    status?: unknown;
  };
  if (record.objectClassName !== undefined && record.objectClassName !== 'domain')
    return `the RDAP answer is a ${String(record.objectClassName).slice(0, 40)}, not a domain`;
  return {
    expiresAt: eventTime(record.events, 'expiration'),
    registeredAt: eventTime(record.events, 'registration'),
    registrar: registrarName(record.entities),
    status: Array.isArray(record.status)
      ? record.status.filter((item): item is string => typeof item === 'string').slice(0, 20)
      : [],
  };
}
