/**
 * Temporal: the CLI dev server (default, SQLite file under the data directory, web UI on 8233), or an existing
 * cluster through TEMPORAL_ADDRESS. Also the one place workflows are started, with business-key ids.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, type ConnectionOptions } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import type { Config } from './config';
import type { Contract } from '../domain/contract';
import type { ElectionInput } from '../domain/election';
import type { contractWorkflow } from '../workflows/contract/workflow';
import type { electionWorkflow } from '../workflows/election/workflow';

/** Custom search attributes, so the Web UI can filter "all Fresno elections" or "everything under a contract". */
export const SA_KIND = defineSearchAttributeKey('BallotflowKind', SearchAttributeType.KEYWORD);
export const SA_COUNTY = defineSearchAttributeKey('BallotflowCounty', SearchAttributeType.KEYWORD);
export const SA_CONTRACT = defineSearchAttributeKey('BallotflowContract', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTES = [SA_KIND, SA_COUNTY, SA_CONTRACT];

export function cacheDir(): string {
  return process.env.BALLOTFLOW_CACHE ?? path.join(os.homedir(), '.cache', 'ballotflow');
}

/** The Temporal CLI: TEMPORAL_CLI, then PATH, then the copy scripts/setup.sh built into the cache. */
export function findTemporalCli(): string {
  const candidates = [process.env.TEMPORAL_CLI, ...((process.env.PATH ?? '').split(path.delimiter).map((d) => d && path.join(d, 'temporal'))), path.join(cacheDir(), 'bin', 'temporal')];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  throw new Error('the Temporal CLI was not found: run `npm run setup` (it builds one with go install and caches it)');
}

/** The launcher of the Java time-skipping test server (scripts/temporal-test-server), for tests and simulate. */
export function testServerLauncher(): string {
  const p = path.resolve(__dirname, '..', 'scripts', 'temporal-test-server');
  return fs.existsSync(p) ? p : path.resolve(__dirname, '..', '..', 'scripts', 'temporal-test-server');
}

export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host }, () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface DevServer { address: string; uiUrl: string; process: ChildProcess; stop(): Promise<void> }

export async function startDevServer(opts: { dataDir: string; port: number; uiPort: number; namespace: string; log?: (line: string) => void }): Promise<DevServer> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--db-filename', path.join(opts.dataDir, 'temporal.db'),
    '--port', String(opts.port), '--ui-port', String(opts.uiPort),
    '--namespace', opts.namespace, '--ip', '127.0.0.1', '--log-level', 'warn',
    ...SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
  ];
  const child = spawn(findTemporalCli(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => opts.log?.(l));
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`temporal server start-dev exited with code ${code}`))));
  await Promise.race([waitForPort(opts.port), exited]);
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    process: child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }),
  };
}

/** Options that both the client Connection and the worker's NativeConnection accept. */
export function connectionOptions(cfg: Pick<Config, 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS' | 'TEMPORAL_API_KEY'>, address: string): ConnectionOptions & { apiKey?: string } {
  const mtls = cfg.TEMPORAL_TLS_CERT && cfg.TEMPORAL_TLS_KEY
    ? { clientCertPair: { crt: fs.readFileSync(cfg.TEMPORAL_TLS_CERT), key: fs.readFileSync(cfg.TEMPORAL_TLS_KEY) } }
    : undefined;
  const ca = cfg.TEMPORAL_TLS_CA ? { serverRootCACertificate: fs.readFileSync(cfg.TEMPORAL_TLS_CA) } : undefined;
  const tls = mtls || ca ? { ...mtls, ...ca } : cfg.TEMPORAL_TLS === 'true' || cfg.TEMPORAL_API_KEY ? true : undefined;
  return { address, ...(tls ? { tls } : {}), ...(cfg.TEMPORAL_API_KEY ? { apiKey: cfg.TEMPORAL_API_KEY } : {}) };
}

export async function connectClient(cfg: Config, address: string): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(cfg, address));
  return new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
}

export interface StartOptions { taskQueue: string; searchAttributes?: boolean; maxHistoryEvents?: number }

/**
 * The start options both workflows share. The id is a business key; USE_EXISTING makes a retried start return
 * the running workflow, and REJECT_DUPLICATE keeps a closed one from being started again.
 */
function startOptions(o: StartOptions, id: string, kind: 'contract' | 'election', county: string, contractId: string) {
  return {
    workflowId: id,
    taskQueue: o.taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    ...(o.searchAttributes ? { typedSearchAttributes: new TypedSearchAttributes([
      { key: SA_KIND, value: kind }, { key: SA_COUNTY, value: county }, { key: SA_CONTRACT, value: contractId },
    ]) } : {}),
  };
}

const history = (o: StartOptions) => (o.maxHistoryEvents ? { maxHistoryEvents: o.maxHistoryEvents } : {});

export async function startContractWorkflow(client: Client, contract: Contract, o: StartOptions): Promise<void> {
  return startOnce(() => client.workflow.start<typeof contractWorkflow>('contractWorkflow', {
    ...startOptions(o, contract.id, 'contract', contract.county, contract.id),
    args: [{ contract, ...history(o) }],
  }));
}

export async function startElectionWorkflow(client: Client, input: ElectionInput, o: StartOptions): Promise<void> {
  return startOnce(() => client.workflow.start<typeof electionWorkflow>('electionWorkflow', {
    ...startOptions(o, input.id, 'election', input.county, input.contract.id),
    args: [{ input, ...history(o) }],
  }));
}

async function startOnce(start: () => Promise<{ firstExecutionRunId: string }>): Promise<void> {
  try {
    await start();
  } catch (e) {
    // A closed workflow with this id: the business key was used already; nothing is started twice.
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
}
