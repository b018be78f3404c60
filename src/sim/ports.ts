/**
 * Free UDP ports for simulated printers. net-snmp's agent cannot be asked for "any port" (port 0
 * makes it bind 161), and a fleet needs a contiguous range, so the simulator picks a random range
 * itself and tries another when any port of it is taken.
 * @module
 */
import { isSdkError } from "../errors.js";

/**
 * Where a fleet or agent started without a port looks for a free contiguous UDP range: above the
 * registered ports most services use and below Linux's default ephemeral range
 * (`net.ipv4.ip_local_port_range` 32768-60999), so the OS never hands one of them to an outgoing
 * socket while the simulator runs.
 */
export const FREE_RANGE_PORTS: {
  /** Lowest port of the range. */
  readonly first: 20_000;
  /** Highest port of the range. */
  readonly last: 32_767;
} = { first: 20_000, last: 32_767 };

/** How many random ranges are tried before giving up with the last `SIM_PORT_IN_USE`. */
export const FREE_RANGE_ATTEMPTS = 20;

/**
 * Calls `bind(base)` with random bases until one succeeds, for a range of `count` ports inside
 * {@link FREE_RANGE_PORTS}. `bind` must release whatever it bound before it throws.
 *
 * @throws whatever `bind` throws other than `SIM_PORT_IN_USE`, or the last `SIM_PORT_IN_USE`
 *   after {@link FREE_RANGE_ATTEMPTS} tries.
 */
export async function bindInFreeRange<T>(
  count: number,
  bind: (base: number) => Promise<T>,
  random: () => number = Math.random,
): Promise<T> {
  const span = FREE_RANGE_PORTS.last - FREE_RANGE_PORTS.first - count + 2;
  for (let attempt = 1; ; attempt++) {
    const base = FREE_RANGE_PORTS.first + Math.floor(random() * span);
    try {
      return await bind(base);
    } catch (err) {
      if (!isSdkError(err) || err.code !== "SIM_PORT_IN_USE" || attempt >= FREE_RANGE_ATTEMPTS) throw err;
    }
  }
}
