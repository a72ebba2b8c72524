/**
 * Determinism guard: histories recorded from real runs (test/histories, `npm run record-histories`) must
 * replay against today's workflow code. A change to step order that is not behind `patched()` fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { ballotWorkflowBundle, workflowBundle } from '../workers/worker';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.history.pb')).sort();

test('recorded histories exist for elections, contracts and ballots', () => {
  expect(files).toEqual(expect.arrayContaining(['ballot-lifecycle.history.pb', 'election-on-time.history.pb', 'election-late-waiver-shift-datechange-cancel.history.pb', 'contract-continued-as-new.history.pb']));
});

test.each(files)('%s replays deterministically against the current workflow code', async (file) => {
  const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, file)));
  expect(history.events!.length).toBeGreaterThan(10);
  // A ballot replays on the bundle its worker runs in production: an evicted ballot is replayed there, on the
  // modules that bundle shares between workflows.
  const bundle = file.startsWith('ballot-') ? await ballotWorkflowBundle() : await workflowBundle();
  await Worker.runReplayHistory({ workflowBundle: bundle }, history, file.replace(/\.history\.pb$/, ''));
});
