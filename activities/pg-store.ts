/** The Postgres store behind the worker's activities. */
import type { Pool } from 'pg';
import { recordBallotEvents } from '../db/ballots';
import { saveLedger } from '../db/contracts';
import { recordEvents, recordReminders, saveReport } from '../db/elections';
import type { ActivityStore } from './index';

export function pgStore(pool: Pool): ActivityStore {
  return {
    recordElectionEvents: (id, events) => recordEvents(pool, id, events),
    recordReminders: (reminders) => recordReminders(pool, reminders),
    saveElectionReport: (report) => saveReport(pool, report.id, report.finalStatus, report),
    saveContractLedger: (snapshot) => saveLedger(pool, snapshot),
    recordBallotEvents: (electionId, ballotId, events) => recordBallotEvents(pool, electionId, ballotId, events),
  };
}
