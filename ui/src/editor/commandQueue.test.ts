import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { CommandQueue, coalesce } from './commandQueue';
import type { Command } from './model';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const move = (nodeId: string, x: number): Command => ({ kind: 'moveNode', nodeId, position: { x, y: 0 } });
const update = (changes: object): Command => ({ kind: 'updateNode', nodeId: 'a', changes });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('command batching', () => {
  it('folds a later move of the same node into the waiting one', () => {
    expect(coalesce(move('a', 1), move('a', 2))).toEqual(move('a', 2));
    expect(coalesce(move('a', 1), move('b', 2))).toBeNull();
  });

  it('merges node changes and folds edits of a node not yet added into its addNode', () => {
    expect(coalesce(update({ name: 'x' }), update({ disabled: true }))).toEqual(update({ name: 'x', disabled: true }));
    const add: Command = { kind: 'addNode', node: { id: 'a', name: 'A', position: { x: 0, y: 0 } } as never };
    expect(coalesce(add, move('a', 5))).toMatchObject({ kind: 'addNode', node: { position: { x: 5, y: 0 } } });
  });

  it('sends one command at a time, in order, with the newest known version as expectedVersion', async () => {
    const sent: [Command, number][] = [];
    const answers: ReturnType<typeof deferred<{ version: number }>>[] = [];
    let idle = 0;
    const queue = new CommandQueue(3, {
      send(command, expected) {
        sent.push([command, expected]);
        const answer = deferred<{ version: number }>();
        answers.push(answer);
        return answer.promise;
      },
      onConflict: () => { throw new Error('no conflict expected'); },
      onError: () => { throw new Error('no error expected'); },
      onIdle: () => { idle += 1; },
    });
    queue.enqueue(move('a', 1));
    queue.enqueue(move('b', 1));
    queue.enqueue(move('b', 2)); // batched with the waiting move of b
    queue.enqueue(move('b', 3));
    expect(sent).toEqual([[move('a', 1), 3]]);
    expect(queue.pending).toBe(2);
    answers[0].resolve({ version: 4 });
    await flush();
    expect(sent[1]).toEqual([move('b', 3), 4]);
    answers[1].resolve({ version: 5 });
    await flush();
    expect(sent).toHaveLength(2);
    expect(queue.version).toBe(5);
    expect(queue.pending).toBe(0);
    expect(idle).toBe(1);
  });

  it('on CONFLICT reports the rejected command and the ones behind it, and learns the current version', async () => {
    const first = deferred<{ version: number }>();
    const reports: [string, Command, Command[]][] = [];
    const queue = new CommandQueue(1, {
      send: () => first.promise,
      onConflict: (error, rejected, dropped) => reports.push([error.code, rejected, dropped]),
      onError: () => { throw new Error('no error expected'); },
    });
    queue.enqueue(move('a', 1));
    queue.enqueue(move('b', 1));
    first.reject(new ApiError('node a was changed meanwhile', 'CONFLICT', 9));
    await flush();
    expect(reports).toEqual([['CONFLICT', move('a', 1), [move('b', 1)]]]);
    expect(queue.version).toBe(9);
    expect(queue.pending).toBe(0);
  });

  it('reports other failures separately', async () => {
    const errors: string[] = [];
    const queue = new CommandQueue(1, {
      send: () => Promise.reject(new ApiError('unknown node type', 'VALIDATION')),
      onConflict: () => { throw new Error('not a conflict'); },
      onError: (error) => errors.push(error.message),
    });
    queue.enqueue(move('a', 1));
    await flush();
    expect(errors).toEqual(['unknown node type']);
  });
});
