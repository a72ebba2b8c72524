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
    // The "postmaster": starts a child that burns about 0.5 s of CPU and ends, waits for it, then idles.
    const script = `
      const { spawnSync } = require('node:child_process');
      setTimeout(() => {
        spawnSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 500) {}']);
        process.stdout.write('done\\n');
        setTimeout(() => {}, 60000);
      }, 300);`;
    const parent = spawn(process.execPath, ['-e', script, marker], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const before = cpuSample({ temporalMarker: `${marker}-none`, postgresMarker: marker });
      await new Promise<void>((resolve) => parent.stdout.on('data', (d: Buffer) => { if (d.toString().includes('done')) resolve(); }));
      const after = cpuSample({ temporalMarker: `${marker}-none`, postgresMarker: marker });
      const used = cpuDelta(before, after);
      expect(used.postgres).toBeGreaterThanOrEqual(0.3);
      expect(used.temporal).toBe(0);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
