/** An in-memory store for `ballotflow simulate` and workflow tests that look only at workflow results. */
import type { NumberedBallotEvent } from '../db/ballots';
import type { ElectionEvent, Reminder } from '../domain/election';
import type { ContractSnapshot } from '../workflows/contract/messages';
import type { ElectionReport } from '../workflows/election/workflow';
import type { ActivityStore } from './index';

export class MemoryStore implements ActivityStore {
  readonly events = new Map<string, ElectionEvent & { electionId: string }>();
  readonly reminders = new Map<string, Reminder>();
  readonly reports = new Map<string, ElectionReport>();
  readonly ledgers = new Map<string, ContractSnapshot>();
  readonly ballotEvents = new Map<string, NumberedBallotEvent & { electionId: string; ballotId: string }>();

  async recordElectionEvents(electionId: string, events: ElectionEvent[]): Promise<number> {
    let n = 0;
    for (const e of events) if (!this.events.has(e.eventId)) { this.events.set(e.eventId, { ...e, electionId }); n++; }
    return n;
  }
  async recordReminders(reminders: Reminder[]): Promise<number> {
    let n = 0;
    for (const r of reminders) if (!this.reminders.has(r.reminderKey)) { this.reminders.set(r.reminderKey, r); n++; }
    return n;
  }
  async saveElectionReport(report: ElectionReport): Promise<void> { this.reports.set(report.id, report); }
  async saveContractLedger(snapshot: ContractSnapshot): Promise<void> { this.ledgers.set(snapshot.id, snapshot); }
  async recordBallotEvents(electionId: string, ballotId: string, events: NumberedBallotEvent[]): Promise<number> {
    let n = 0;
    for (const e of events) if (!this.ballotEvents.has(e.eventId)) { this.ballotEvents.set(e.eventId, { ...e, electionId, ballotId }); n++; }
    return n;
  }
}
