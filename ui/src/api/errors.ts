/** Turns API failures into one readable message and the fields the UI acts on. */
import type { CombinedError } from 'urql';

/** Codes the API puts in `extensions.code`. */
export type ErrorCode = 'NOT_FOUND' | 'VALIDATION' | 'CONFLICT' | 'INTERNAL' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NETWORK';

/** A failed operation, ready to show. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode | string,
    /** For `CONFLICT`: the workflow's version on the server. */
    readonly currentVersion: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The first error of a combined urql error, with its code. */
export function toApiError(error: CombinedError): ApiError {
  if (error.networkError && error.graphQLErrors.length === 0) {
    return new ApiError(`Cannot reach the Weft server: ${error.networkError.message}`, 'NETWORK');
  }
  const first = error.graphQLErrors[0];
  if (!first) return new ApiError(error.message, 'INTERNAL');
  const extensions = (first.extensions ?? {}) as Record<string, unknown>;
  const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL';
  const current = typeof extensions.currentVersion === 'number' ? extensions.currentVersion : null;
  return new ApiError(first.message, code, current);
}

/** A message for anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
