/**
 * `prismwatch state migrate` and `prismwatch state copy`: bring a store to this version's schema,
 * and move an installation from SQLite to PostgreSQL (or back) with its whole history.
 */
import type { Command } from 'commander';
import { PrismwatchError } from '../errors.js';
import { DEFAULT_DATA_DIR, ENV } from './options.js';

const defaultStore = () =>
  process.env[ENV.stateUrl] ?? `sqlite:${process.env[ENV.dataDir] ?? DEFAULT_DATA_DIR}`;

function usage(error: unknown): never {
  throw new PrismwatchError('PRISMWATCH_USAGE', error instanceof Error ? error.message : String(error));
}

/** A store that cannot be opened, migrated or written is the operator's to fix: one line, no stack. */
async function stateError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new PrismwatchError('PRISMWATCH_STATE', error instanceof Error ? error.message : String(error));
  }
}

export function addStateCommands(program: Command): void {
  const state = program
    .command('state')
    .description('The state store: SQLite in the data directory, or PostgreSQL shared by several instances.');
  state
    .command('migrate')
    .description('Run the schema migrations a store has not had yet (a daemon also runs them at start).')
    .argument(
      '[store]',
      `"sqlite:<data dir>" or "postgres://…" (default: env ${ENV.stateUrl}, else sqlite:$${ENV.dataDir} or sqlite:./data)`,
    )
    .action(async (store: string | undefined) => {
      const { migrateState, parseStoreLocation } = await import('../state/shared/state-copy.js');
      const target = store ?? defaultStore();
      try {
        parseStoreLocation(target);
      } catch (error) {
        usage(error);
      }
      const outcome = await stateError(() => migrateState(target));
      process.stdout.write(
        outcome.from === outcome.to
          ? `${outcome.store}: schema ${outcome.to}, nothing to migrate\n`
          : `${outcome.store}: migrated from schema ${outcome.from} to ${outcome.to}\n`,
      );
    });
  state
    .command('copy')
    .description(
      'Copy every table (alerts, incidents, outbox, silences, maintenance, announcements, counts) from one store to another. Stop the daemons first.',
    )
    .requiredOption('--from <store>', 'where state is now: "sqlite:<data dir>" or "postgres://…"')
    .requiredOption('--to <store>', 'where it goes: "postgres://…" or "sqlite:<data dir>"')
    .option('--replace', 'overwrite a target that already holds state')
    .action(async (options: { from: string; to: string; replace?: boolean }) => {
      const { copyState, parseStoreLocation } = await import('../state/shared/state-copy.js');
      try {
        parseStoreLocation(options.from);
        parseStoreLocation(options.to);
      } catch (error) {
        usage(error);
      }
      const outcome = await stateError(() => copyState(options.from, options.to, options.replace === true));
      const total = Object.values(outcome.rows).reduce((sum, count) => sum + count, 0);
      process.stdout.write(`copied ${total} rows from ${outcome.from} to ${outcome.to}\n`);
      for (const [table, count] of Object.entries(outcome.rows))
        if (count > 0) process.stdout.write(`  ${table.padEnd(14)} ${count}\n`);
    });
}
