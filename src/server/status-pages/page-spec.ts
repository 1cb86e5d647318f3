/**
 * The `status_pages:` section: pages for people outside the team, each showing named components
 * (groups of probes) rather than probes, targets and alerts. The operator page at `/` stays as it
 * is; each page here is served at `/status/<slug>` and, when it names a `host`, at `/` for
 * requests with that Host header (status.example.com behind a reverse proxy).
 */
import * as z from 'zod';
import type { ProbeSpec } from '../../model/probe.js';
import type { EmailIntegration } from '../../notify/receivers/email/index.js';
import { emailReceiver } from '../../notify/receivers/email/index.js';
import { type ProbeSelector, selects } from '../../rules/rule.js';
import { selectSchema } from '../../rules/schema.js';

const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A DNS name, optionally with a port (what a Host header holds), lowercase. */
const HOST_RE = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:\d{1,5})?$/;

const componentSchema = z.strictObject({
  name: z.string({ error: 'expected the component name people see' }).min(1).max(80),
  description: z.string().max(300).optional(),
  /** The probes behind it: by name, kind or labels (as rules select). */
  select: selectSchema,
});

/**
 * Who may subscribe, and how mail goes out: `email` takes an email receiver's settings without
 * `to` (the subscriber is the recipient); `webhooks` lets operators add webhook subscribers
 * through the API (never through the public form: it would let anyone make prismwatch POST to
 * an address of their choosing).
 */
const subscriptionsSchema = z.strictObject({
  email: (emailReceiver.configSchema as z.ZodObject).omit({ to: true }).optional(),
  webhooks: z.boolean().default(false),
  /** Unconfirmed email subscriptions held at once; past it the form answers 429. */
  max_pending: z.number().int().min(1).max(100_000).default(1_000),
});

export const statusPageSchema = z.strictObject({
  slug: z.string({ error: 'expected a slug like "customers"' }).regex(SLUG_RE, {
    message: 'expected a slug of lowercase letters, digits and "-" (at most 63)',
  }),
  /** Also served at `/` for requests with this Host header. */
  host: z
    .string()
    .transform((text) => text.toLowerCase())
    .refine((text) => HOST_RE.test(text), { message: 'expected a host name like status.example.com' })
    .optional(),
  title: z.string({ error: 'expected the page title' }).min(1).max(120),
  description: z.string().max(500).optional(),
  /**
   * A logo: a `data:image/…` URL (the page's security headers allow images from the page and
   * data: URLs only, so a logo on another host would not load).
   */
  logo: z
    .string()
    .regex(/^data:image\/(png|svg\+xml|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/, {
      message: 'expected a data:image/…;base64,… URL (the page loads nothing from other hosts)',
    })
    .max(200_000)
    .optional(),
  components: z.array(componentSchema).min(1, { message: 'expected at least one component' }).max(100),
  show: z
    .strictObject({
      /** 90-day uptime bars per component. */
      history: z.boolean().default(true),
      /** The components' mean response time over the history window. */
      latency: z.boolean().default(false),
      /** Written incidents (`prismwatch incidents open`) that affect the page's components. */
      incidents: z.boolean().default(true),
    })
    .default({ history: true, latency: false, incidents: true }),
  /** Email and webhook subscribers to written incidents and maintenance (subscribers.md). */
  subscriptions: subscriptionsSchema.optional(),
});

export const STATUS_PAGE_KEYS = Object.keys(statusPageSchema.shape);
export const COMPONENT_KEYS = Object.keys(componentSchema.shape);
export const SUBSCRIPTION_KEYS = Object.keys(subscriptionsSchema.shape);

export interface ComponentSpec {
  readonly name: string;
  readonly description?: string;
  readonly select: ProbeSelector;
}

export interface StatusPageSpec {
  readonly slug: string;
  readonly host?: string;
  readonly title: string;
  readonly description?: string;
  readonly logo?: string;
  readonly components: readonly ComponentSpec[];
  readonly show: { readonly history: boolean; readonly latency: boolean; readonly incidents: boolean };
  readonly subscriptions?: SubscriptionSpec;
  readonly source: { readonly file: string; readonly line: number };
}

export interface SubscriptionSpec {
  /** The SMTP settings subscriber mail goes out with (`to` is each subscriber). */
  readonly email?: EmailIntegration;
  readonly webhooks: boolean;
  readonly maxPending: number;
}

export function toStatusPageSpec(
  parsed: z.infer<typeof statusPageSchema>,
  source: { file: string; line: number },
): StatusPageSpec {
  return Object.freeze({
    slug: parsed.slug,
    ...(parsed.host ? { host: parsed.host } : {}),
    title: parsed.title,
    ...(parsed.description ? { description: parsed.description } : {}),
    ...(parsed.logo ? { logo: parsed.logo } : {}),
    components: parsed.components.map((component) => ({
      name: component.name,
      ...(component.description ? { description: component.description } : {}),
      select: component.select,
    })),
    show: parsed.show,
    ...(parsed.subscriptions
      ? {
          subscriptions: {
            ...(parsed.subscriptions.email
              ? {
                  email: emailReceiver.build({ ...(parsed.subscriptions.email as object), to: [] } as never, {
                    id: `status_pages/${parsed.slug}/email`,
                    receiver: `status page ${parsed.slug}`,
                  }) as EmailIntegration,
                }
              : {}),
            webhooks: parsed.subscriptions.webhooks,
            maxPending: parsed.subscriptions.max_pending,
          },
        }
      : {}),
    source: Object.freeze(source),
  });
}

/** The probes behind a component, agents' location copies included. */
export function componentProbes(component: ComponentSpec, probes: readonly ProbeSpec[]): ProbeSpec[] {
  return probes.filter((probe) => selects(component.select, probe));
}
