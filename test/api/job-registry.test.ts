/**
 * Workers take their job names from the registry: every queue has a processor,
 * and a job name its queue does not know fails for good at once
 * (UnrecoverableError) instead of being retried with backoff eight times.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { z, ZodError } from 'zod';
import { DEFAULT_JOB_OPTIONS } from '../../src/jobs/queues.js';
import { QUEUE_NAMES } from '../../src/jobs/registry.js';
import { PROCESSORS } from '../../workers/index.js';
import { markFailedOnLastAttempt } from '../../workers/processor.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

const job = (name: string, data: unknown, attemptsMade = 0) => ({ name, data, attemptsMade, opts: { attempts: DEFAULT_JOB_OPTIONS.attempts } }) as unknown as Job;

describe('the job registry and the workers', () => {
  it('has a processor for every queue, and an unknown job or one of another queue fails without retries', async () => {
    expect(Object.keys(PROCESSORS).sort()).toEqual([...QUEUE_NAMES].sort());
    for (const name of QUEUE_NAMES) {
      await expect(PROCESSORS[name].processor(job('noSuchJob', {}))).rejects.toBeInstanceOf(UnrecoverableError);
    }
    // runScenario is a real job, but of the scenarios queue.
    await expect(PROCESSORS.waitlist.processor(job('runScenario', { scenarioId: crypto.randomUUID() }))).rejects.toThrow('unknown job runScenario on waitlist');
  });

  it('records the failure only when the last attempt fails', async () => {
    const marked: string[] = [];
    const failing = () => Promise.reject(new Error('connection reset'));
    const attempts = DEFAULT_JOB_OPTIONS.attempts!;
    await expect(markFailedOnLastAttempt(job('runScenario', {}, attempts - 2), async (m) => marked.push(m), failing)).rejects.toThrow('connection reset');
    expect(marked).toEqual([]);
    await expect(markFailedOnLastAttempt(job('runScenario', {}, attempts - 1), async (m) => marked.push(m), failing)).rejects.toThrow('connection reset');
    expect(marked).toEqual(['connection reset']);
    expect(await markFailedOnLastAttempt(job('runScenario', {}, attempts - 1), async (m) => marked.push(m), async () => 'done')).toBe('done');
    expect(marked).toHaveLength(1);
  });

  it('records at once a failure that will not be retried: stored data that does not parse, or an unrecoverable error', async () => {
    // e.g. a round whose stored request no longer reads: BullMQ does not retry it, so the first attempt is the last.
    const marked: string[] = [];
    const unreadable = () => Promise.resolve().then(() => z.object({ slotId: z.string().uuid() }).parse({ slotId: 's12-3-14' }));
    await expect(markFailedOnLastAttempt(job('runAllocationRound', {}, 0), async (m) => marked.push(m), unreadable)).rejects.toBeInstanceOf(ZodError);
    await expect(markFailedOnLastAttempt(job('runAllocationRound', {}, 0), async (m) => marked.push(m), () => Promise.reject(new UnrecoverableError('gone')))).rejects.toThrow('gone');
    expect(marked).toHaveLength(2);
    expect(marked[0]).toMatch(/slotId/);
    expect(marked[1]).toBe('gone');
  });
});
