/**
 * The product's logger: pino, with voters' personal data and credentials redacted wherever they appear in a log
 * record (issue 5, "pino redaction of personal data in logs"). Code should not log them in the first place; this is
 * the net under that rule.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const PERSONAL = [
  'firstName', 'lastName', 'middleName', 'dateOfBirth', 'dob', 'birthDate', 'zip', 'address', 'residenceAddress', 'mailingAddress',
  'email', 'phone', 'to', 'body', 'consentText', 'lookupToken', 'manageToken', 'accountToken', 'token',
];
const SECRETS = ['authorization', 'cookie', 'password', 'passwordHash', 'secret', 'authToken', 'apiKey'];

/** Each field at the top of a record and one and two levels down (pino's redaction paths are explicit). */
export const REDACT_PATHS = [...PERSONAL, ...SECRETS].flatMap((f) => [f, `*.${f}`, `*.*.${f}`]).concat(['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-account-token"]']);

export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
