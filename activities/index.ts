/**
 * Activities: all I/O of the workflows. Built by a factory that receives its store, so the worker writes to
 * Postgres while `ballotflow simulate` (a what-if tool, not the system of record) keeps results in memory.
 * Every activity is idempotent on business keys (event id, reminder key, election id, contract id).
 */
import type { Logger } from 'pino';
import type { NumberedBallotEvent } from '../db/ballots';
import type { ElectionEvent, Reminder } from '../domain/election';
import type { ContractSnapshot } from '../workflows/contract/messages';
import type { ElectionReport } from '../workflows/election/workflow';

export interface ActivityStore {
  recordElectionEvents(electionId: string, events: ElectionEvent[]): Promise<number>;
  recordReminders(reminders: Reminder[]): Promise<number>;
  saveElectionReport(report: ElectionReport): Promise<void>;
  saveContractLedger(snapshot: ContractSnapshot): Promise<void>;
  recordBallotEvents(electionId: string, ballotId: string, events: NumberedBallotEvent[]): Promise<number>;
}

/** Turns a ballot's stored events into voter notices (activities/notify.ts planNotices); absent in what-if simulations. */
export interface NoticePlanner {
  planNotices(electionId: string, electionDate: string, ballotId: string, events: NumberedBallotEvent[]): Promise<number>;
}

export function createActivities(deps: { store: ActivityStore; logger: Logger; notices?: NoticePlanner }) {
  const { store, logger } = deps;
  return {
    async recordElectionEvents(electionId: string, events: ElectionEvent[]): Promise<number> {
      const n = await store.recordElectionEvents(electionId, events);
      for (const e of events) logger.info({ electionId, event: e.type, milestone: e.milestoneKey, eventId: e.eventId }, 'election event');
      return n;
    },
    /** Records each reminder once; delivery by email/SMS to the responsible party builds on this table. */
    async sendDeadlineReminders(reminders: Reminder[]): Promise<number> {
      const n = await store.recordReminders(reminders);
      for (const r of reminders) logger.info({ electionId: r.electionId, milestone: r.milestoneKey, owner: r.owner, dueAt: r.dueAt, daysBefore: r.daysBefore }, 'deadline reminder');
      return n;
    },
    async saveElectionReport(report: ElectionReport): Promise<void> {
      await store.saveElectionReport(report);
      logger.info({ electionId: report.id, status: report.finalStatus, damagesNet: report.sla.damagesNet }, 'election final report written');
    },
    async saveContractLedger(snapshot: ContractSnapshot): Promise<void> {
      await store.saveContractLedger(snapshot);
    },
    /** Ballot transitions and alerts; no voter data in the log, only ids and statuses. */
    async recordBallotEvents(electionId: string, ballotId: string, events: NumberedBallotEvent[], electionDate?: string): Promise<number> {
      const n = await store.recordBallotEvents(electionId, ballotId, events);
      for (const e of events) logger.info({ ballotId, event: e.type, status: e.status, eventId: e.eventId }, 'ballot event');
      // Stored first: a notice always has its event behind it. Planning twice is harmless (notice keys).
      if (deps.notices && electionDate) await deps.notices.planNotices(electionId, electionDate, ballotId, events);
      return n;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
