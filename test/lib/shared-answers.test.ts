import { describe, expect, it } from 'vitest';
import { sharedAnswers } from '../../src/lib/shared-answers';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('sharedAnswers', () => {
  it('shares one load among callers while it is on its way and for the time given after it arrives', async () => {
    let clock = 0;
    const loads: string[] = [];
    const pending = deferred<string>();
    const answers = sharedAnswers(
      1_000,
      (key) => {
        loads.push(key);
        return loads.length === 1 ? pending.promise : Promise.resolve(`${key} again`);
      },
      () => clock,
    );
    const first = answers.get('a');
    const second = answers.get('a');
    pending.resolve('a status');
    expect(await Promise.all([first, second])).toEqual(['a status', 'a status']);
    clock = 999;
    expect(await answers.get('a')).toBe('a status');
    expect(loads).toEqual(['a']);
    clock = 1_000;
    expect(await answers.get('a')).toBe('a again');
    expect(loads).toEqual(['a', 'a']);
  });

  it('keeps answers apart by key', async () => {
    const answers = sharedAnswers(
      1_000,
      async (key) => `${key} status`,
      () => 0,
    );
    expect(await Promise.all([answers.get('a'), answers.get('b')])).toEqual(['a status', 'b status']);
  });

  it('does not keep a failure: the next caller loads again', async () => {
    let calls = 0;
    const answers = sharedAnswers(
      1_000,
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('the loop did not answer');
        return 'answered';
      },
      () => 0,
    );
    await expect(answers.get('a')).rejects.toThrow('the loop did not answer');
    expect(await answers.get('a')).toBe('answered');
    expect(calls).toBe(2);
  });

  it('forgets an answer a change has made stale, even one still on its way', async () => {
    let calls = 0;
    const answers = sharedAnswers(
      1_000,
      async () => `answer ${++calls}`,
      () => 0,
    );
    const before = answers.get('a');
    answers.forget('a');
    expect(await answers.get('a')).toBe('answer 2');
    expect(await before).toBe('answer 1');
  });
});
