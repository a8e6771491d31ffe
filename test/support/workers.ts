/** Worker processes for reliability tests: real child processes that can be SIGKILLed. */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Short recovery settings for workers a test kills (the defaults are 20 s and 10 s): a dead worker's job
 * is taken again within about 6 s. The lock is still long enough that a live worker on a busy machine,
 * renewing it every 2.5 s, is not mistaken for a dead one.
 */
export const SHORT_RECOVERY = { JOB_LOCK_MS: '5000', JOB_STALLED_CHECK_MS: '1000' } as const;

export function spawnWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => undefined);
  return child;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 90_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * A gate a test server holds a request at: `arrived` resolves when the
 * request reaches it, and the server waits for `release` before answering
 * (a sender can be killed in between).
 */
export function holdGate() {
  let release!: () => void;
  let arrived!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const reached = new Promise<void>((r) => (arrived = r));
  return { server: { arrived, gate }, test: { arrived: reached, release } };
}
