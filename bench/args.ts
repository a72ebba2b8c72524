/** Command-line arguments shared by the benchmarks. */
import { InvalidArgumentError } from 'commander';

/** A count such as 100000, 100_000 or 100,000. */
export function positiveInt(value: string): number {
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}
