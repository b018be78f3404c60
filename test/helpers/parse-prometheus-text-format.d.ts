/** Types of `parse-prometheus-text-format` (the package ships none). */
declare module "parse-prometheus-text-format" {
  /** One sample: counters and gauges carry `value`, histograms and summaries more. */
  export interface PrometheusSample {
    value?: string;
    labels?: Record<string, string>;
    timestamp_ms?: string;
  }
  /** One metric family (`# HELP` / `# TYPE` and its samples). */
  export interface PrometheusFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: PrometheusSample[];
  }
  /** Parses the Prometheus text exposition format; throws on a malformed line. */
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
