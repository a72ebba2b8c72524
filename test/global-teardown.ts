import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const h = (globalThis as Record<string, unknown>).__BALLOTFLOW_PG__ as { pg: { stop(): Promise<void> }; dir: string } | undefined;
  if (!h) return;
  await h.pg.stop();
  fs.rmSync(h.dir, { recursive: true, force: true });
}
