import pg from 'pg';

/**
 * Watches every pg client for a query asked of it while one of its own is still running:
 * pg 8 queues it with a DeprecationWarning, pg 9 throws. The driver is called through
 * unchanged; only the overlaps are recorded, as the statements that overlapped.
 */
export function watchOverlappingQueries(): { overlaps: string[]; stop(): void } {
  const prototype = pg.Client.prototype as unknown as { query(this: pg.Client, ...args: unknown[]): unknown };
  const query = prototype.query;
  const running = new WeakMap<pg.Client, number>();
  const overlaps: string[] = [];
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if ((running.get(this) ?? 0) > 0) overlaps.push(String(text).replace(/\s+/g, ' ').slice(0, 120));
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      running.set(this, (running.get(this) ?? 0) + 1);
      void result.finally(() => running.set(this, running.get(this)! - 1)).catch(() => undefined);
    }
    return result;
  };
  return { overlaps, stop: () => void (prototype.query = query) };
}
