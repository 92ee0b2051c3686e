/**
 * First-come first-served locks by name. A job takes all its keys (sorted, so two jobs asking for
 * the same keys in any order cannot deadlock) before it starts and gives them back when it ends;
 * a job asking for a key that is held waits its turn.
 */
export class KeyedLocks {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #holders = new Map<string, string>();

  /** Resolves with a release function once `owner` holds every key. */
  async acquire(keys: readonly string[], owner: string): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const key of [...new Set(keys)].sort()) releases.push(await this.#one(key, owner));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const r of releases.reverse()) r();
    };
  }

  /** Who holds `key` now (undefined when free). */
  holder(key: string): string | undefined {
    return this.#holders.get(key);
  }

  #one(key: string, owner: string): Promise<() => void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let free!: () => void;
    const mine = new Promise<void>((r) => (free = r));
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    return previous.then(() => {
      this.#holders.set(key, owner);
      return () => {
        if (this.#holders.get(key) === owner) this.#holders.delete(key);
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
        free();
      };
    });
  }
}
