import { spawn } from 'node:child_process';
import { cpuDelta, cpuSample } from '../bench/cpu';

/**
 * bench:ingest charges Postgres with the CPU of the postmaster and its backends. A backend that ends between two
 * samples must still count (through the postmaster's time for children it has waited for), or a phase in which a
 * connection closed shows negative CPU.
 */
describe('bench CPU sampling', () => {
  it('counts the time of a child that ended and was waited for, never going down', async () => {
    const marker = `bf-cpu-test-${process.pid}`;
    // The "postmaster": once told to go (after the first sample), starts a child that burns about 0.5 s of CPU and
    // ends, waits for it, says so, then idles.
    const script = `
      const { spawnSync } = require('node:child_process');
      process.stdout.write('ready\\n');
      process.stdin.once('data', () => {
        spawnSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 500) {}']);
        process.stdout.write('done\\n');
        setTimeout(() => {}, 60000);
      });`;
    const parent = spawn(process.execPath, ['-e', script, marker], { stdio: ['pipe', 'pipe', 'inherit'] });
    const said = (word: string) => new Promise<void>((resolve) => parent.stdout.on('data', (d: Buffer) => { if (d.toString().includes(word)) resolve(); }));
    try {
      await said('ready');
      const before = cpuSample({ temporalMarker: `${marker}-none`, postgresMarker: marker });
      const done = said('done');
      parent.stdin.write('go\n');
      await done;
      const after = cpuSample({ temporalMarker: `${marker}-none`, postgresMarker: marker });
      const used = cpuDelta(before, after);
      expect(used.postgres).toBeGreaterThanOrEqual(0.3);
      expect(used.temporal).toBe(0);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
