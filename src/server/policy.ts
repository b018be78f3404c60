/**
 * The server's policies: the billing cycle, as pure functions of a date (which cycle a
 * moment belongs to and when a billing request is due), and whether a device may move
 * from one proxy to another.
 * @module
 */

/**
 * What `RegisterDevices` does with a serial another proxy registered.
 * - `refuse` (default): the request is refused with `DEVICE_OWNED_BY_OTHER_PROXY` and
 *   nothing of it is stored; the owner keeps the device (and its billing).
 * - `allow`: the device moves to the claiming proxy, and the move (serial, from, to, when)
 *   is recorded and exported (`deviceMoves`).
 */
export type DeviceMovePolicy = "refuse" | "allow";

/** The values {@link DeviceMovePolicy} takes, for option parsing. */
export const DEVICE_MOVE_POLICIES: readonly DeviceMovePolicy[] = ["refuse", "allow"];

/** How often the server asks each device for billing reads. */
export type BillingCycleKind = "monthly" | "quarterly" | "semiannual";

/** Every cycle kind, for option parsing. */
export const BILLING_CYCLE_KINDS: readonly BillingCycleKind[] = ["monthly", "quarterly", "semiannual"];

/** A billing cycle: its id and the half-open UTC interval `[start, end)` it covers. */
export interface BillingCycle {
  /** `2026-11` (monthly), `2026-Q4` (quarterly) or `2026-H2` (semiannual). */
  id: string;
  /** First instant of the cycle (UTC). */
  start: Date;
  /** First instant after the cycle (UTC), exclusive. */
  end: Date;
}

const MONTHS_PER_CYCLE: Record<BillingCycleKind, number> = { monthly: 1, quarterly: 3, semiannual: 6 };

/**
 * The cycle that `at` falls in (UTC calendar).
 * @example
 * ```ts
 * billingCycleAt(new Date("2026-11-25T10:00:00Z"), "quarterly").id; // "2026-Q4"
 * ```
 */
export function billingCycleAt(at: Date, kind: BillingCycleKind): BillingCycle {
  const year = at.getUTCFullYear();
  const months = MONTHS_PER_CYCLE[kind];
  const index = Math.floor(at.getUTCMonth() / months);
  const start = new Date(Date.UTC(year, index * months, 1));
  const end = new Date(Date.UTC(year, (index + 1) * months, 1));
  const id =
    kind === "monthly"
      ? `${year}-${String(index + 1).padStart(2, "0")}`
      : kind === "quarterly"
        ? `${year}-Q${index + 1}`
        : `${year}-H${index + 1}`;
  return { id, start, end };
}

/**
 * When a billing request issued at `issuedAt` is due: `dueDays` later, but never after the
 * end of its cycle (a read due in the next cycle would belong to the wrong invoice).
 */
export function billingDue(issuedAt: Date, cycle: BillingCycle, dueDays: number): Date {
  const due = issuedAt.getTime() + dueDays * 86_400_000;
  return new Date(Math.min(due, cycle.end.getTime() - 1000));
}
