/**
 * The ballot worker's default cache (workers/worker.ts defaultBallotCache): bounded by the memory the process may
 * use and by its workflow threads' heaps, whichever holds fewer ballots.
 */
import os from 'node:os';
import v8 from 'node:v8';
import { availableMemory, CACHED_BALLOT_BYTES, CACHED_BALLOT_HEAP_BYTES, defaultBallotCache } from '../workers/worker';

const GiB = 2 ** 30;
const heapLimit = v8.getHeapStatistics().heap_size_limit;

test('a container of 1 GiB caches half a gibibyte of ballots at 320 KiB each', () => {
  expect(CACHED_BALLOT_BYTES).toBe(320 * 1024);
  expect(defaultBallotCache(2, 1 * GiB)).toBe(1638);
  // Twice the memory, twice the ballots, while the heaps are not the bound.
  expect(defaultBallotCache(2, 2 * GiB)).toBe(3276);
});

test('on a machine larger than the heaps, the workflow threads\' heaps are the bound, per thread', () => {
  const oneThread = Math.floor((heapLimit * 0.5) / CACHED_BALLOT_HEAP_BYTES);
  expect(defaultBallotCache(1, 1024 * GiB)).toBe(oneThread);
  expect(defaultBallotCache(2, 1024 * GiB)).toBe(Math.floor((heapLimit * 0.5 * 2) / CACHED_BALLOT_HEAP_BYTES));
  expect(defaultBallotCache(2, 1024 * GiB)).toBeGreaterThan(defaultBallotCache(2, 8 * GiB));
});

test('a tiny machine still caches 100 ballots', () => {
  expect(defaultBallotCache(2, 16 * 2 ** 20)).toBe(100);
});

test('the memory available is the machine\'s or a smaller control-group limit, never more', () => {
  const m = availableMemory();
  expect(m).toBeGreaterThan(0);
  expect(m).toBeLessThanOrEqual(os.totalmem());
});
