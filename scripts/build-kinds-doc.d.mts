// Types for what tests import from build-kinds-doc.mjs.
import type { ReceiverType } from '../src/notify/receivers/definition.js';
import type { ProberDefinition } from '../src/probers/definition.js';

/** The generated reference part of docs/kinds.md for a kinds table. */
export function kindsReference(kinds: readonly ProberDefinition[]): string;
/** The document with its generated part replaced. */
export function withReference(document: string, reference: string): string;
/** The generated table of receiver types for docs/delivery.md. */
export function receiversReference(types: readonly ReceiverType[]): string;
/** docs/delivery.md with its receiver types replaced. */
export function withReceivers(document: string, reference: string): string;
