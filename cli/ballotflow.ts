#!/usr/bin/env node
/** The `ballotflow` command. */
import { Command } from 'commander';
import { registerCalendar } from './calendar';
import { registerIngest } from './ingest';
import { registerKeys } from './keys';
import { registerStart } from './start';

const program = new Command('ballotflow')
  .description('County election calendars and vendor SLAs for California vote-by-mail, on Temporal')
  .showHelpAfterError();
registerCalendar(program);
registerStart(program);
registerIngest(program);
registerKeys(program);
try { require('./simulate').registerSimulate(program); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e; }
program.parseAsync(process.argv).catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
