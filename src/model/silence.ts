/** A silence: mutes firing alerts whose labels match, for a span of time. */
import type { Matcher } from './matchers.js';

export interface SilenceSpec {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  /** `config` silences live in YAML; `api` ones in the state store. */
  readonly origin: 'config' | 'api';
}
