/**
 * FileIngestionWorkflow: one per received file (`file:<election>:<type>:<checksum>`), so a re-sent file is the
 * same workflow and does nothing twice. The work is one heartbeating activity that resumes from its last
 * checkpoint if the worker dies; a malformed file fails at once, with the reason, and is not retried.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { IngestActivities, IngestSummary } from '../../activities/ingest';

const { ingestFile } = proxyActivities<IngestActivities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['file-format', 'not-found'] },
});

export async function fileIngestionWorkflow(args: { fileId: string }): Promise<IngestSummary> {
  return ingestFile(args.fileId);
}
