/**
 * The agent's status page (`/`): one server-rendered HTML page, no script, no external asset,
 * refreshing itself every 60 s. Alarms first, then the outbox and syncs, then one card per
 * device. Reads on a phone (single column under 40em) and prints on paper (no refresh bar,
 * no backgrounds).
 * @module
 */
import type { AgentHealth } from "./http.js";
import type { AgentStatusReport, DeviceStatusRow } from "./status-report.js";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attributes. */
function esc(text: string | number | null | undefined): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function when(iso: string | null, nowIso: string): string {
  if (!iso) return "never";
  const s = Math.round((Date.parse(nowIso) - Date.parse(iso)) / 1000);
  const abs = Math.abs(s);
  const span =
    abs < 90
      ? `${abs} s`
      : abs < 5400
        ? `${Math.round(abs / 60)} min`
        : abs < 129_600
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86_400)} d`;
  return `<time datetime="${esc(iso)}">${esc(iso.replace("T", " ").replace(/\.\d+Z$/, "Z"))}</time> (${s >= 0 ? `${span} ago` : `in ${span}`})`;
}

/**
 * Supply states the reader reports that call for someone (RFC 3805 levels; for a receptacle such as a
 * waste toner box the level is the remaining space, so `nearlyFull`/`full` are its low/empty).
 */
const ACTION_STATES: Readonly<Record<string, string>> = {
  low: "low",
  empty: "empty",
  nearlyFull: "nearly full",
  full: "full",
};

/** Whether a supply needs someone: by its state, or (rows without one) at 10 % or less. */
function needsAction(s: DeviceStatusRow["supplyLevels"][number]): boolean {
  if (s.state !== undefined && s.state in ACTION_STATES) return true;
  return s.state === undefined && s.percent !== undefined && s.percent <= 10;
}

/** Alarms of the site, worst first. */
function alarms(report: AgentStatusReport, health: AgentHealth): string[] {
  const out: string[] = [];
  for (const a of report.alarms ?? []) out.push(`${a.kind}: ${a.message}. What to do: ${a.remedy}`);
  if (health.status !== 200) out.push(`Health check failing: ${health.reason}`);
  if (report.counts.parked > 0)
    out.push(
      `${report.counts.parked} outbox entr${report.counts.parked === 1 ? "y" : "ies"} refused by the server (parked): see esol agent status`,
    );
  if (report.counts.quarantined > 0)
    out.push(`${report.counts.quarantined} damaged outbox row(s) quarantined`);
  for (const d of report.devices) {
    // The agent's own `device-silent` alarm says it already, with what to do.
    if (d.state === "silent" && !report.alarms)
      out.push(`${d.serial} (${d.model ?? "device"} at ${d.address}) is not answering`);
    for (const s of d.supplyLevels)
      if (needsAction(s))
        out.push(
          `${d.serial}: ${s.description} ${s.percent !== undefined ? `at ${s.percent}%` : ACTION_STATES[s.state ?? ""]}${s.percent !== undefined && s.state !== undefined && s.state !== "low" ? ` (${ACTION_STATES[s.state]})` : ""}`,
        );
  }
  return out;
}

/** Printer-MIB says "some remaining" (-3) when a supply cannot measure its level. */
const STATE_LABELS: Record<string, string> = {
  someRemaining: "some left",
  unknown: "unknown",
  other: "unknown",
};

function supplyBar(s: DeviceStatusRow["supplyLevels"][number]): string {
  const pct = s.percent;
  const label = pct === undefined ? (STATE_LABELS[s.state ?? "unknown"] ?? s.state ?? "unknown") : `${pct}%`;
  const low = needsAction(s);
  const bar =
    pct === undefined
      ? `<span class="nobar"></span>`
      : `<meter min="0" max="100" low="11" optimum="100" value="${pct}" title="${esc(label)}">${esc(label)}</meter>`;
  return `<li class="supply${low ? " low" : ""}"><span class="name">${esc(s.description)}</span>${bar}<span class="pct">${esc(label)}</span></li>`;
}

function deviceCard(d: DeviceStatusRow, nowIso: string): string {
  const meters = d.meters.length
    ? `<table class="meters"><tbody>${d.meters
        .map(
          (m) =>
            `<tr><th scope="row">${esc(m.name)}</th><td>${esc(m.value.toLocaleString("en-US"))}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : `<p class="none">No meters read yet.</p>`;
  const supplies = d.supplyLevels.length
    ? `<ul class="supplies">${d.supplyLevels.map(supplyBar).join("")}</ul>`
    : "";
  return `<article class="device state-${esc(d.state)}" data-serial="${esc(d.serial)}">
<h3>${esc(d.model ?? d.vendor ?? "Unknown model")} <span class="state">${esc(d.state)}</span></h3>
<dl><dt>Serial</dt><dd class="serial">${esc(d.serial)}</dd><dt>Address</dt><dd>${esc(d.address)}</dd>
<dt>Last good read</dt><dd class="last-read">${when(d.lastReadAt, nowIso)}</dd></dl>
${meters}${supplies}</article>`;
}

const STYLE = `
*{box-sizing:border-box}body{font:16px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:1rem;color:#111;background:#f6f7f9}
main{max-width:72rem;margin:auto}h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.2rem 0 .5rem}h3{font-size:1rem;margin:0 0 .4rem}
.alarms{background:#fde8e8;border:2px solid #b91c1c;border-radius:.4rem;padding:.5rem 1rem}.alarms li{margin:.2rem 0}
.ok{background:#e7f6ec;border:1px solid #15803d;border-radius:.4rem;padding:.5rem 1rem}
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.5rem}.summary div{background:#fff;border:1px solid #ccd;border-radius:.4rem;padding:.5rem}
.summary b{display:block;font-size:1.3rem}.summary b.small{font-size:1rem}.devices{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:.75rem}
.device{background:#fff;border:1px solid #ccd;border-radius:.4rem;padding:.75rem;break-inside:avoid}.state{font-size:.8rem;font-weight:normal;border:1px solid;border-radius:1rem;padding:0 .5rem;margin-left:.3rem}
.state-silent{border-color:#b91c1c}.state-silent .state{color:#b91c1c}dl{display:grid;grid-template-columns:auto 1fr;gap:.1rem .75rem;margin:.3rem 0}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
table.meters{border-collapse:collapse;width:100%;margin:.3rem 0}.meters th{text-align:left;font-weight:normal;color:#333}.meters td{text-align:right;font-variant-numeric:tabular-nums}.meters tr{border-top:1px solid #eee}
.supplies{list-style:none;padding:0;margin:.3rem 0}.supply{display:grid;grid-template-columns:minmax(0,1fr) 6rem 4.5rem;gap:.5rem;align-items:center}.name{overflow-wrap:anywhere}.supply meter{width:100%}.pct{text-align:right}.low .name,.low .pct{color:#b91c1c;font-weight:bold}
footer{margin-top:1rem;color:#555;font-size:.85rem}
@media (max-width:40em){body{padding:.5rem}.summary{grid-template-columns:1fr 1fr}.devices{grid-template-columns:1fr}.supply{grid-template-columns:minmax(0,1fr) 4rem 4.5rem}}
@media print{body{background:#fff;padding:0;font-size:11pt}.device,.summary div{border-color:#888}.alarms{background:none}footer .refresh{display:none}}
`;

/** Renders the status page for `report` (everything escaped; no script, no external asset). */
export function renderStatusPage(
  report: AgentStatusReport,
  health: AgentHealth,
  refreshSeconds = 60,
): string {
  const list = alarms(report, health);
  const c = report.counts;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="${refreshSeconds}">
<title>esol agent ${esc(report.proxyId)}: ${list.length ? `${list.length} alarm(s)` : "ok"}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>eSolutions agent <span class="proxy">${esc(report.proxyId)}</span></h1>
${
  list.length
    ? `<section class="alarms" id="alarms"><h2>Alarms</h2><ul>${list.map((a) => `<li>${esc(a)}</li>`).join("")}</ul></section>`
    : `<section class="ok" id="alarms"><p>No alarms. ${esc(health.reason)}</p></section>`
}
<section id="summary"><h2>Outbox and syncs</h2><div class="summary">
<div>Pending<b id="pending">${c.pending}</b></div><div>Parked<b id="parked">${c.parked}</b></div>
<div>Quarantined<b id="quarantined">${c.quarantined}</b></div><div>Sent (kept a week)<b id="sent">${c.sent}</b></div>
<div>Last sync<b class="small" id="last-sync">${when(report.lastSyncAt, report.now)}</b></div>
<div>Next sync<b class="small" id="next-sync">${when(report.nextSyncAt, report.now)}</b></div>
</div></section>
<section id="devices"><h2>Devices (${report.devices.length})</h2><div class="devices">
${report.devices.map((d) => deviceCard(d, report.now)).join("\n") || "<p>No device found yet.</p>"}
</div></section>
<footer>As of ${esc(report.now)}. <span class="refresh">Refreshes every ${refreshSeconds} s.</span> Outbox ${esc(report.outbox)}.</footer>
</main></body></html>
`;
}
