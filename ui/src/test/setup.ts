import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

// Without vitest globals, Testing Library does not unmount between tests by itself.
afterEach(cleanup);

// React Flow measures nodes with ResizeObserver; the callback must run asynchronously.
class AsyncResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    setTimeout(() => this.callback([{ target, contentRect: target.getBoundingClientRect() } as ResizeObserverEntry], this as unknown as ResizeObserver), 0);
  }
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver = AsyncResizeObserver as unknown as typeof ResizeObserver;
