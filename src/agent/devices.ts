/**
 * The agent's device registry, kept in the outbox file so that a device is registered
 * once per lifetime and its services, silence and replacement survive restarts. The
 * decisions (new, replaced, silent) are made here, inside the same transaction that
 * commits the poll reading.
 * @module
 */

import type Database from "better-sqlite3";
import { dateOf } from "../clock.js";
import type { DeviceState, ServiceName } from "../soap/models.js";
import { connectionOf } from "./connection.js";
import type { Outbox } from "./outbox.js";
import type { PolledReading } from "./readings.js";

/** A device as the agent knows it. */
export interface KnownDevice {
  /** Serial number. */
  serial: string;
  /** Last address it answered at. */
  address: string;
  /** MAC address, when known. */
  mac: string | null;
  /** Vendor. */
  vendor: string | null;
  /** Model. */
  model: string | null;
  /** `ok`, `silent`, `replaced` or `disabled`. */
  state: DeviceState;
  /** When it was first seen. */
  firstSeenAt: Date;
  /**
   * {@link KnownDevice.firstSeenAt} in epoch ms.
   * @deprecated Use `firstSeenAt`; still set, removed in 0.3.
   */
  firstSeenAtMs: number;
  /** When it was last read successfully, null if never. */
  lastOkAt: Date | null;
  /**
   * {@link KnownDevice.lastOkAt} in epoch ms.
   * @deprecated Use `lastOkAt`; still set, removed in 0.3.
   */
  lastOkAtMs: number | null;
  /** Consecutive polls without an answer. */
  failedPolls: number;
  /** Whether `RegisterDevices` was committed for it. */
  registered: boolean;
  /** Billing switched on by the server. */
  billing: boolean;
  /** Supplies reports switched on by the server. */
  supplies: boolean;
  /** Supplies report interval asked by the server. */
  suppliesIntervalMs: number | null;
  /** When the last supplies report was committed, null if never. */
  lastSuppliesAt: Date | null;
  /**
   * {@link KnownDevice.lastSuppliesAt} in epoch ms.
   * @deprecated Use `lastSuppliesAt`; still set, removed in 0.3.
   */
  lastSuppliesAtMs: number | null;
  /** State changed since the last `Sync` reported it. */
  statusDirty: boolean;
  /** Why it is in its state (e.g. `replaced by X`). */
  detail: string | null;
}

interface DeviceRow {
  serial: string;
  address: string;
  mac: string | null;
  vendor: string | null;
  model: string | null;
  state: string;
  first_seen_at: number;
  last_ok_at: number | null;
  failed_polls: number;
  registered: number;
  billing: number;
  supplies: number;
  supplies_interval_ms: number | null;
  last_supplies_at: number | null;
  status_dirty: number;
  detail: string | null;
}

/** The device list of each connection, with the key it was read at (see `DeviceRegistry.list`). */
const listed = new WeakMap<Database.Database, { key: string | undefined; devices: KnownDevice[] }>();

/**
 * The columns {@link fromRow} reads: every column of `devices` but `poll_plan` (kilobytes of
 * JSON, read only by `pollPlan()`), so a sighting during a poll does not read the plan.
 */
const DEVICE_COLUMNS =
  "serial, address, mac, vendor, model, state, first_seen_at, last_ok_at, failed_polls, registered, billing, supplies, supplies_interval_ms, last_supplies_at, status_dirty, detail";

function fromRow(r: DeviceRow): KnownDevice {
  return {
    serial: r.serial,
    address: r.address,
    mac: r.mac,
    vendor: r.vendor,
    model: r.model,
    state: r.state as DeviceState,
    firstSeenAt: new Date(r.first_seen_at),
    firstSeenAtMs: r.first_seen_at,
    lastOkAt: dateOf(r.last_ok_at),
    lastOkAtMs: r.last_ok_at,
    failedPolls: r.failed_polls,
    registered: r.registered === 1,
    billing: r.billing === 1,
    supplies: r.supplies === 1,
    suppliesIntervalMs: r.supplies_interval_ms,
    lastSuppliesAt: dateOf(r.last_supplies_at),
    lastSuppliesAtMs: r.last_supplies_at,
    statusDirty: r.status_dirty === 1,
    detail: r.detail,
  };
}

/** What a successful read changed. */
export type SightingOutcome =
  | {
      /** Seen before at this address with this serial. */
      kind: "known";
      /** The device. */
      device: KnownDevice;
      /** It answered again after being reported silent. */
      recovered: boolean;
    }
  | {
      /** Never seen before. */
      kind: "new";
      /** The device. */
      device: KnownDevice;
    }
  | {
      /** Another serial now answers at a known address / MAC. */
      kind: "replaced";
      /** The new device. */
      device: KnownDevice;
      /** The device it replaced. */
      previous: KnownDevice;
    };

/** Device registry over the outbox's SQLite file. Call its writers inside `outbox.transaction`. */
export class DeviceRegistry {
  readonly #db: Database.Database;

  /** A registry over `outbox`'s file, sharing its connection (and so its transactions). */
  constructor(outbox: Outbox) {
    this.#db = connectionOf(outbox);
  }

  /**
   * The stored poll plan (JSON text, see `serializePollPlan`) of the device answering at
   * `address` (`host:port`), null when none is stored or no device is known there.
   */
  pollPlan(address: string): string | null {
    const row = this.#db
      .prepare(
        "SELECT poll_plan FROM devices WHERE address = ? AND state IN ('ok', 'silent') ORDER BY last_ok_at DESC LIMIT 1",
      )
      .get(address) as { poll_plan: string | null } | undefined;
    return row?.poll_plan ?? null;
  }

  /** Stores (or, with null, drops) the poll plan of a device, run inside the reading's commit. */
  setPollPlan(serial: string, plan: string | null): void {
    this.#db.prepare("UPDATE devices SET poll_plan = ? WHERE serial = ?").run(plan, serial);
  }

  /**
   * Every device, by serial. Kept per connection until anything is written: the key is the
   * connection's `total_changes()` (rows it changed, in any table, committed or rolled back;
   * SQLite core functions) and `PRAGMA data_version` (commits of other connections), and
   * nothing is kept inside a transaction. `agent.status()` (every `/healthz`, `/metrics` and
   * `/status.json` request) lists the devices; between polls the list does not change.
   */
  list(): KnownDevice[] {
    const db = this.#db;
    const key = db.inTransaction
      ? undefined
      : `${(db.prepare("SELECT total_changes() AS n").get() as { n: number }).n}:${db.pragma("data_version", { simple: true })}`;
    let kept = key === undefined ? undefined : listed.get(db);
    if (kept === undefined || kept.key !== key) {
      // Not `SELECT *`: each row's poll_plan (kilobytes of JSON) is read only by pollPlan().
      const rows = db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY serial`).all() as DeviceRow[];
      kept = { key, devices: rows.map(fromRow) };
      if (key !== undefined) listed.set(db, kept);
    }
    // Copies: a caller may change what it gets.
    return kept.devices.map((d) => ({ ...d }));
  }

  /** One device. */
  get(serial: string): KnownDevice | undefined {
    const row = this.#db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE serial = ?`).get(serial) as
      | DeviceRow
      | undefined;
    return row ? fromRow(row) : undefined;
  }

  /**
   * Records a successful read. A serial never seen before is `new`, unless another
   * (still active) device was last seen at the same address or with the same MAC: then
   * that one is marked `replaced` and the new one is its replacement.
   */
  sighted(r: PolledReading, atMs: number): SightingOutcome {
    const existing = this.get(r.serial);
    if (existing) {
      const recovered = existing.state === "silent";
      this.#db
        .prepare(
          `UPDATE devices SET address = ?, mac = coalesce(?, mac), vendor = coalesce(?, vendor), model = coalesce(?, model),
           last_ok_at = ?, failed_polls = 0,
           state = CASE WHEN state = 'silent' OR state = 'replaced' THEN 'ok' ELSE state END,
           status_dirty = CASE WHEN state = 'silent' OR state = 'replaced' THEN 1 ELSE status_dirty END,
           detail = CASE WHEN state = 'silent' OR state = 'replaced' THEN NULL ELSE detail END
           WHERE serial = ?`,
        )
        .run(r.address, r.mac ?? null, r.vendor ?? null, r.model ?? null, atMs, r.serial);
      return { kind: "known", device: this.get(r.serial) as KnownDevice, recovered };
    }
    const previousRow = this.#db
      .prepare(
        `SELECT ${DEVICE_COLUMNS} FROM devices WHERE state IN ('ok', 'silent') AND (address = ? OR (? IS NOT NULL AND mac = ?))
         ORDER BY last_ok_at DESC LIMIT 1`,
      )
      .get(r.address, r.mac ?? null, r.mac ?? null) as DeviceRow | undefined;
    this.#db
      .prepare(
        `INSERT INTO devices (serial, address, mac, vendor, model, state, first_seen_at, last_ok_at, status_dirty)
         VALUES (?, ?, ?, ?, ?, 'ok', ?, ?, 0)`,
      )
      .run(r.serial, r.address, r.mac ?? null, r.vendor ?? null, r.model ?? null, atMs, atMs);
    const device = this.get(r.serial) as KnownDevice;
    if (!previousRow) return { kind: "new", device };
    this.#db
      .prepare("UPDATE devices SET state = 'replaced', status_dirty = 1, detail = ? WHERE serial = ?")
      .run(`replaced by ${r.serial} at ${r.address}`.slice(0, 255), previousRow.serial);
    return { kind: "replaced", device, previous: this.get(previousRow.serial) as KnownDevice };
  }

  /** Whether an active (ok or silent) device was last seen at `address`. */
  knownAt(address: string): boolean {
    return (
      this.#db
        .prepare("SELECT 1 FROM devices WHERE address = ? AND state IN ('ok', 'silent') LIMIT 1")
        .get(address) !== undefined
    );
  }

  /**
   * Records a poll without an answer from `address`. Returns the devices that just
   * crossed `silentAfterPolls` (they become `silent`).
   */
  missed(address: string, silentAfterPolls: number): KnownDevice[] {
    const rows = this.#db
      .prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE address = ? AND state IN ('ok', 'silent')`)
      .all(address) as DeviceRow[];
    const silenced: KnownDevice[] = [];
    for (const row of rows) {
      const failed = row.failed_polls + 1;
      const becomesSilent = row.state === "ok" && failed >= silentAfterPolls;
      this.#db
        .prepare(
          `UPDATE devices SET failed_polls = ?, state = ?, status_dirty = CASE WHEN ? THEN 1 ELSE status_dirty END,
           detail = CASE WHEN ? THEN ? ELSE detail END WHERE serial = ?`,
        )
        .run(
          failed,
          becomesSilent ? "silent" : row.state,
          becomesSilent ? 1 : 0,
          becomesSilent ? 1 : 0,
          `no answer for ${failed} polls`,
          row.serial,
        );
      if (becomesSilent) silenced.push(this.get(row.serial) as KnownDevice);
    }
    return silenced;
  }

  /** Marks devices as committed for registration. */
  markRegistered(serials: readonly string[]): void {
    const stmt = this.#db.prepare("UPDATE devices SET registered = 1 WHERE serial = ?");
    for (const s of serials) stmt.run(s);
  }

  /** Switches a service on or off for a device (from a directive). */
  setService(serial: string, service: ServiceName, enabled: boolean, intervalMs?: number): void {
    if (service === "billing")
      this.#db.prepare("UPDATE devices SET billing = ? WHERE serial = ?").run(enabled ? 1 : 0, serial);
    else
      this.#db
        .prepare(
          "UPDATE devices SET supplies = ?, supplies_interval_ms = coalesce(?, supplies_interval_ms) WHERE serial = ?",
        )
        .run(enabled ? 1 : 0, intervalMs ?? null, serial);
  }

  /** Marks a device disabled by the server. */
  disable(serial: string, reason: string | undefined): void {
    this.#db
      .prepare(
        "UPDATE devices SET state = 'disabled', billing = 0, supplies = 0, status_dirty = 1, detail = ? WHERE serial = ?",
      )
      .run(reason?.slice(0, 255) ?? "disabled by the server", serial);
  }

  /** Records that a supplies report was committed. */
  suppliesCommitted(serial: string, atMs: number): void {
    this.#db.prepare("UPDATE devices SET last_supplies_at = ? WHERE serial = ?").run(atMs, serial);
  }

  /** Devices whose state changed since the last Sync. */
  dirty(): KnownDevice[] {
    return (
      this.#db
        .prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE status_dirty = 1 ORDER BY serial`)
        .all() as DeviceRow[]
    ).map(fromRow);
  }

  /** Clears the dirty flag of devices whose state is still what was reported. */
  reported(devices: readonly KnownDevice[]): void {
    const stmt = this.#db.prepare("UPDATE devices SET status_dirty = 0 WHERE serial = ? AND state = ?");
    for (const d of devices) stmt.run(d.serial, d.state);
  }
}
