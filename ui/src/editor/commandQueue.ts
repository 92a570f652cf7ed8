/**
 * Sends editor commands one at a time, in order, each with `expectedVersion` set to the newest
 * version this client knows. Commands waiting to be sent are batched: later moves of a node
 * replace earlier ones, and later changes to a node merge into the waiting update.
 */
import { ApiError } from '../api/errors';
import type { Command } from './model';

/** What the transport returns for one sent command. */
export interface SendResult { version: number }

export interface QueueOptions {
  /** Sends one command; throws `ApiError` on failure. */
  send(command: Command, expectedVersion: number): Promise<SendResult>;
  /** The server rejected `rejected` (CONFLICT); `dropped` were waiting behind it and were not sent. */
  onConflict(error: ApiError, rejected: Command, dropped: Command[]): void;
  /** Any other failure; `dropped` were waiting behind it and were not sent. */
  onError(error: ApiError, rejected: Command, dropped: Command[]): void;
  /** Every command has been sent and answered. */
  onIdle?(): void;
}

/** Tries to fold `next` into `waiting` (same target); returns the merged command or null. */
export function coalesce(waiting: Command, next: Command): Command | null {
  if (waiting.kind === 'moveNode' && next.kind === 'moveNode' && waiting.nodeId === next.nodeId) return next;
  if (waiting.kind === 'updateNode' && next.kind === 'updateNode' && waiting.nodeId === next.nodeId) {
    return { ...waiting, changes: { ...waiting.changes, ...next.changes } };
  }
  if (waiting.kind === 'addNode' && next.kind === 'moveNode' && waiting.node.id === next.nodeId) {
    return { ...waiting, node: { ...waiting.node, position: next.position } };
  }
  if (waiting.kind === 'addNode' && next.kind === 'updateNode' && waiting.node.id === next.nodeId) {
    return { ...waiting, node: { ...waiting.node, ...next.changes } };
  }
  return null;
}

export class CommandQueue {
  private waiting: Command[] = [];
  private sending = false;
  private known: number;

  constructor(version: number, private readonly options: QueueOptions) {
    this.known = version;
  }

  /** The newest version this client knows (sent as `expectedVersion`). */
  get version(): number {
    return this.known;
  }

  /** Records a newer version seen elsewhere (a reload after remote edits). */
  observe(version: number): void {
    this.known = Math.max(this.known, version);
  }

  /** Commands not yet answered (waiting plus the one in flight). */
  get pending(): number {
    return this.waiting.length + (this.sending ? 1 : 0);
  }

  /** Adds a command, batching it with the last waiting one when they touch the same thing. */
  enqueue(command: Command): void {
    const last = this.waiting[this.waiting.length - 1];
    const merged = last ? coalesce(last, command) : null;
    if (merged) this.waiting[this.waiting.length - 1] = merged;
    else this.waiting.push(command);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    const command = this.waiting.shift();
    if (!command) {
      this.options.onIdle?.();
      return;
    }
    this.sending = true;
    try {
      const result = await this.options.send(command, this.known);
      this.known = Math.max(this.known, result.version);
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : new ApiError(String(caught), 'INTERNAL');
      const dropped = this.waiting;
      this.waiting = [];
      if (error.currentVersion !== null) this.known = Math.max(this.known, error.currentVersion);
      if (error.code === 'CONFLICT') this.options.onConflict(error, command, dropped);
      else this.options.onError(error, command, dropped);
    } finally {
      this.sending = false;
    }
    await this.pump();
  }
}
