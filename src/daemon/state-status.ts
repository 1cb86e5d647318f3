/** /api/v1/status and the status page's footer: where state is kept and which instance leads. */
import type { SharedState } from '../state/shared/shared-store.js';
import type { ControlPlane } from './control-plane.js';

export interface StateStatus {
  readonly state: {
    /** postgres: shared by instances (--state.url); sqlite: the data directory's file; memory: neither. */
    readonly store: 'postgres' | 'sqlite' | 'memory';
    /** The shared database, its password masked. */
    readonly url?: string;
    readonly leading: boolean;
    readonly instance?: string;
    readonly leader?: { readonly holder: string; readonly token: number; readonly expiresAt: string };
    readonly databaseUp?: boolean;
    readonly unavailableSince?: string;
    readonly queuedStatements?: number;
  };
}

export function stateStatus(shared: SharedState | undefined, control: ControlPlane | undefined): StateStatus {
  if (!shared)
    return {
      state: { store: control?.state.persistent === false ? 'memory' : 'sqlite', leading: true },
    };
  const lease = shared.leadership.current;
  const writer = shared.writer.status();
  return {
    state: {
      store: 'postgres',
      url: shared.url,
      leading: shared.leading(),
      instance: shared.leadership.holder,
      ...(lease?.holder
        ? {
            leader: {
              holder: lease.holder,
              token: lease.token,
              expiresAt: new Date(lease.expiresAt).toISOString(),
            },
          }
        : {}),
      databaseUp: shared.databaseUp(),
      ...(writer.unavailableSince === undefined
        ? {}
        : { unavailableSince: new Date(writer.unavailableSince).toISOString() }),
      queuedStatements: writer.queuedStatements,
    },
  };
}
