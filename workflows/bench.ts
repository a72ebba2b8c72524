/**
 * Empty workflows for `npm run bench:ingest`: the bare Temporal limits on this server (how fast an empty
 * workflow starts, how fast one takes a signal), against which the ballot pipeline's rates are compared.
 */
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';

export const benchPing = defineSignal('benchPing');
/** Answered once the workflow has run its first task: the benchmark waits for that before it times signals. */
export const benchPinged = defineQuery<boolean>('benchPinged');

export async function benchEmptyWorkflow(): Promise<void> {
  // Returns at once: its start is all there is to measure.
}

export async function benchSignalWorkflow(): Promise<void> {
  let pinged = false;
  setHandler(benchPing, () => { pinged = true; });
  setHandler(benchPinged, () => pinged);
  await condition(() => pinged);
}

