import { InvalidArgumentError } from 'commander';

/** A commander parser for whole-number options with a lower bound, with a message naming the option. */
export function integerOption(name: string, min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}, got "${value}"`);
    return n;
  };
}

/** `--interval <seconds>` of the commands that poll AWS until something ends. */
export function intervalOption(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.1) throw new InvalidArgumentError(`--interval must be a number of seconds >= 0.1, got "${value}"`);
  return seconds;
}
