import type { LoginPage } from './browser';

/**
 * Login pages kept open between two activities of the same login (the SMS code arrives minutes after the
 * page asked Kaspi to send it). They live in this worker process only, which is why those activities run
 * on the worker's own task queue. A page nobody closes is closed after its lifetime, so a login whose
 * workflow vanished cannot leak a browser context.
 */
export class OpenLoginPages {
  private readonly pages = new Map<
    string,
    { page: LoginPage; timer: NodeJS.Timeout; closed: Promise<void>; markClosed(): void }
  >();

  add(loginId: string, page: LoginPage, lifetimeMs: number): void {
    const timer = setTimeout(() => void this.close(loginId), lifetimeMs);
    timer.unref();
    let markClosed = () => undefined as void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    this.pages.set(loginId, { page, timer, closed, markClosed });
  }

  /** Settles when the login's page is closed (at once when there is none). */
  whenClosed(loginId: string): Promise<void> {
    return this.pages.get(loginId)?.closed ?? Promise.resolve();
  }

  get(loginId: string): LoginPage | undefined {
    return this.pages.get(loginId)?.page;
  }

  has(loginId: string): boolean {
    return this.pages.has(loginId);
  }

  async close(loginId: string): Promise<void> {
    const entry = this.pages.get(loginId);
    if (!entry) return;
    this.pages.delete(loginId);
    clearTimeout(entry.timer);
    entry.markClosed();
    await entry.page.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.pages.keys()].map((id) => this.close(id)));
  }

  get size(): number {
    return this.pages.size;
  }
}
