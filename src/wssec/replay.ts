/**
 * The one bounded replay cache (the verifier's, and the reference server's guard across
 * its two first-use verifiers): remembers a key for each accepted message until its
 * timestamp's Expires + skew, after which the timestamp check refuses it anyway.
 * @module
 */
import { SecurityError } from "../errors.js";

/**
 * Keys of messages accepted recently (the verifier uses a hash of the canonical
 * SignedInfo). When full of unexpired entries it refuses new
 * ones (`WSS_BUSY`, retryable) rather than forgetting any: forgetting would reopen
 * the replay window.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  /** @param maxEntries Upper bound on remembered signatures. */
  constructor(private readonly maxEntries = 100_000) {}

  /** Entries currently remembered. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Records `key` until `untilMs`.
   * @throws SecurityError `WSS_REPLAY` when `key` was seen and has not expired; `WSS_BUSY` when full.
   */
  remember(key: string, untilMs: number, nowMs: number): void {
    const until = this.seen.get(key);
    if (until !== undefined && until >= nowMs) {
      throw new SecurityError("WSS_REPLAY", "this signed message was already accepted (replay)");
    }
    if (this.seen.size >= this.maxEntries) this.sweep(nowMs);
    if (this.seen.size >= this.maxEntries) {
      throw new SecurityError("WSS_BUSY", "replay cache full; retry later", { retryable: true });
    }
    this.seen.set(key, untilMs);
  }

  /** Whether `key` is remembered and unexpired (does not record it). */
  has(key: string, nowMs: number): boolean {
    const until = this.seen.get(key);
    return until !== undefined && until >= nowMs;
  }

  /** Forgets expired entries. */
  sweep(nowMs: number): void {
    for (const [key, until] of this.seen) if (until < nowMs) this.seen.delete(key);
  }
}
