/**
 * FileIngestionWorkflow: one per received file (`file:<election>:<type>:<checksum>`), so a re-sent file is the
 * same workflow and does nothing twice. The work is one heartbeating activity that resumes from its last
 * checkpoint if the worker dies; a malformed file fails at once, with the reason, and is not retried.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { IngestActivities, IngestSummary } from '../../activities/ingest';

export interface FileIngestionArgs {
  fileId: string;
  /** How soon a dead worker's attempt is retried elsewhere; a live one heartbeats every batch. */
  heartbeatTimeoutSeconds?: number;
}

export async function fileIngestionWorkflow(args: FileIngestionArgs): Promise<IngestSummary> {
  const { ingestFile } = proxyActivities<IngestActivities>({
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: `${args.heartbeatTimeoutSeconds ?? 60} seconds`,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['file-format', 'not-found'] },
  });
  return ingestFile(args.fileId);
}
