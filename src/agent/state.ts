/**
 * The agent's own persisted state, kept in its outbox file beside the queue: the device
 * registry (`devices` table, {@link DeviceRegistry}) and the settings in `meta`
 * (`proxy.registered`, `proxy.key`, `sync.last`, the server's `Configure` overrides), each
 * behind a typed accessor so the engine names no table, column or key. Writers run inside
 * the caller's `outbox.transaction` when they are part of a larger commit.
 * Not exported from the package.
 * @module
 */
import { DeviceRegistry } from "./devices.js";
import { parseTimeOfDay, type TransmissionWindow } from "./duration.js";
import type { Outbox } from "./outbox.js";

/** The `meta` names of the agent's settings, in one place. */
const META = {
  proxyRegistered: "proxy.registered",
  proxyKey: "proxy.key",
  lastSync: "sync.last",
  pollIntervalMs: "configure.pollIntervalMs",
  windowStart: "configure.windowStart",
  windowEnd: "configure.windowEnd",
} as const;

/** The settings a server's `Configure` may override (`ClientConfiguration`). */
export interface ConfigurationOverrides {
  /** Poll interval (ms), applied when at least 100. */
  pollIntervalMs?: number | undefined;
  /** Window start, `HH:MM` (applied with `windowEnd` when both parse). */
  windowStart?: string | undefined;
  /** Window end, `HH:MM`. */
  windowEnd?: string | undefined;
}

/**
 * Typed access to the agent's persisted state in an open outbox.
 * @example
 * ```ts
 * const state = new AgentState(outbox);
 * if (!state.proxyRegistered()) { ... state.markProxyRegistered(); }
 * ```
 */
export class AgentState {
  /** The device registry (`devices` table). */
  readonly devices: DeviceRegistry;
  readonly #outbox: Outbox;

  /** State over `outbox`'s file (sharing its connection and transactions). */
  constructor(outbox: Outbox) {
    this.#outbox = outbox;
    this.devices = new DeviceRegistry(outbox);
  }

  /** Whether the server acknowledged `RegisterProxy`. */
  proxyRegistered(): boolean {
    return this.#outbox.getMeta(META.proxyRegistered) === "1";
  }

  /** Records that the server acknowledged `RegisterProxy`. */
  markProxyRegistered(): void {
    this.#outbox.setMeta(META.proxyRegistered, "1");
  }

  /**
   * The idempotency key of `RegisterProxy`, made once by `create` and then kept, so a resend
   * after a lost answer is recognised by the server.
   */
  proxyKey(create: () => string): string {
    const existing = this.#outbox.getMeta(META.proxyKey);
    if (existing) return existing;
    const key = create();
    this.#outbox.setMeta(META.proxyKey, key);
    return key;
  }

  /** Epoch ms of the start of the last successful sync session, null before the first. */
  lastSyncAtMs(): number | null {
    const v = this.#outbox.getMeta(META.lastSync);
    return v ? Number(v) : null;
  }

  /** Records the start (epoch ms) of a successful sync session. */
  setLastSyncAtMs(atMs: number): void {
    this.#outbox.setMeta(META.lastSync, String(atMs));
  }

  /** The poll interval (ms) the server set with `Configure`, undefined when none. */
  pollIntervalOverrideMs(): number | undefined {
    const v = Number(this.#outbox.getMeta(META.pollIntervalMs) ?? 0);
    return v > 0 ? v : undefined;
  }

  /** The transmission window the server set with `Configure`, undefined when none (or unusable). */
  windowOverride(): TransmissionWindow | undefined {
    const start = this.#outbox.getMeta(META.windowStart);
    const end = this.#outbox.getMeta(META.windowEnd);
    if (!start || !end) return undefined;
    const s = parseTimeOfDay(start);
    const e = parseTimeOfDay(end);
    return s !== undefined && e !== undefined && s !== e ? { startMinute: s, endMinute: e } : undefined;
  }

  /**
   * Keeps what a `Configure` directive set: a poll interval of at least 100 ms, and a window
   * when both ends parse as `HH:MM`. Anything else is ignored.
   */
  applyConfiguration(c: ConfigurationOverrides): void {
    if (c.pollIntervalMs !== undefined && c.pollIntervalMs >= 100)
      this.#outbox.setMeta(META.pollIntervalMs, String(c.pollIntervalMs));
    if (
      c.windowStart &&
      c.windowEnd &&
      parseTimeOfDay(c.windowStart) !== undefined &&
      parseTimeOfDay(c.windowEnd) !== undefined
    ) {
      this.#outbox.setMeta(META.windowStart, c.windowStart);
      this.#outbox.setMeta(META.windowEnd, c.windowEnd);
    }
  }
}
