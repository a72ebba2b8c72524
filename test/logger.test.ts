import { Writable } from 'node:stream';
import { createLogger } from '../runtime/logger';

test('voters\' personal data and credentials never reach the log, wherever they sit in a record', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
  const log = createLogger('test', 'info', sink);
  log.info({ email: 'ana@example.org', voter: { firstName: 'Ana', dateOfBirth: '1980-01-01', address: { zip: '93701' } }, req: { headers: { authorization: 'Bearer bfk_x' } }, notice: { to: '+15595550100', channel: 'sms' } }, 'hello');
  const out = lines.join('');
  for (const secret of ['ana@example.org', 'Ana', '1980-01-01', '93701', 'bfk_x', '+15595550100']) expect(out).not.toContain(secret);
  const rec = JSON.parse(out);
  expect(rec).toMatchObject({ name: 'test', msg: 'hello', email: '[redacted]', voter: { firstName: '[redacted]', address: '[redacted]' }, notice: { channel: 'sms', to: '[redacted]' } });
});
