import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const dist = path.resolve(__dirname, '..', '..', 'dist');

/**
 * How a worker process is started in production (npm start, docker-compose.yml): with the stack-trace switch loaded
 * in every thread, which the default BALLOT_STACK_TRACES=off needs (workers/stack-traces.ts).
 */
export const WORKER_PROCESS_ARGS = ['--require', path.join(dist, 'workers', 'stack-traces.js'), path.join(dist, 'workers', 'main.js')];

/**
 * A worker process as production starts it, with `env` added. Its stderr is kept, and printed if it exits with an
 * error of its own (not when a test kills it), so a worker that refuses to start says why in the test's output.
 */
export function spawnWorker(env: Record<string, string>): ChildProcess {
  const p = spawn(process.execPath, WORKER_PROCESS_ARGS, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-4000); });
  p.on('exit', (code) => { if (code) console.error(`worker process exited ${code}:\n${err}`); });
  return p;
}
