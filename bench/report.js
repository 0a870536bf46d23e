// The issue's targets, each checked against a bench report with a met/missed verdict, and the
// report as markdown tables (pasted into the README as they are).

export const TARGETS = {
  /** product/baseline throughput, at least. */
  throughput: { bearer: 1.2, exchange: 0.9, refresh: 0.9 },
  /** product p99 / baseline p99 in the same run, at most. */
  tail: { bearer: 1.0, exchange: 1.5, refresh: 1.5 },
  /**
   * Transactions per request on the success path (exactly one; ±0.02 for rounding): checked for
   * the writing ones (the commits that reach the disk) and for all that pg_stat_database counts.
   */
  commits: { exchange: 1, refresh: 1 },
  commitsTolerance: 0.02,
  peakRssMb: 200,
  /** With --rows: big-table throughput at least this share of the small-table figure, p99 at most this multiple. */
  growth: { throughput: 0.9, p99: 1.2 },
  /** product/peer throughput, at least. */
  peer: { exchange: 1.5, refresh: 1.5 },
};

const SIDES = ['product', 'baseline', 'peer'];
const ratio = (a, b) => (a && b ? a / b : undefined);
const times = (value) => (value === undefined ? 'n/a' : `${value.toFixed(2)}×`);
const fixed = (value, digits = 2) => (value === undefined || value === null ? 'n/a' : value.toFixed(digits));
const statements = (counts) => (counts?.statementsEvicted ? 'n/a (evicted)' : fixed(counts?.statementsPerRequest));
/** Server-wide WAL per request (pg_stat_wal), and the full-page images in it: what a request costs the disk. */
const wal = (counts) => (counts?.walKbPerRequest === undefined ? 'n/a' : `${counts.walKbPerRequest.toFixed(1)} (${counts.walFpiPerRequest.toFixed(2)})`);

/**
 * Every target with its figure and verdict: `met`, `missed`, or `not run` when this run did not
 * measure it (no --peer, no --rows, a scenario left out).
 */
export function evaluate(report) {
  const verdicts = [];
  const check = (target, figure, met) => verdicts.push({ target, figure: figure ?? 'n/a', verdict: met === undefined ? 'not run' : met ? 'met' : 'missed' });
  const scenario = (name) => report.scenarios.find((entry) => entry.name === name);

  for (const name of ['bearer', 'exchange', 'refresh']) {
    const { product, baseline } = scenario(name) ?? {};
    const throughput = ratio(product?.rps, baseline?.rps);
    check(`${name} throughput ≥ ${TARGETS.throughput[name]}× baseline`, times(throughput), throughput === undefined ? undefined : throughput >= TARGETS.throughput[name]);
    const limit = baseline ? TARGETS.tail[name] * baseline.p99Ms : undefined;
    const tailTarget = TARGETS.tail[name] === 1 ? 'the baseline’s' : `${TARGETS.tail[name]}× the baseline’s`;
    check(`${name} p99 ≤ ${tailTarget}`, product && baseline ? `${product.p99Ms} ms (limit ${round(limit)} ms)` : undefined, product && baseline ? product.p99Ms <= limit : undefined);
  }
  for (const name of Object.keys(TARGETS.commits)) {
    const counts = scenario(name)?.product?.counts;
    const exactly = (value) => (value === undefined || value === null ? undefined : Math.abs(value - TARGETS.commits[name]) <= TARGETS.commitsTolerance + 1e-9);
    check(`write transactions per ${name} = ${TARGETS.commits[name]}`, fixed(counts?.writesPerRequest), exactly(counts?.writesPerRequest));
    check(`commits per ${name} = ${TARGETS.commits[name]} (pg_stat_database, read-only ones too)`, fixed(counts?.commitsPerRequest), exactly(counts?.commitsPerRequest));
  }
  const rss = report.peakRssMb?.product;
  check(`product peak RSS ≤ ${TARGETS.peakRssMb} MB`, rss === undefined ? undefined : `${rss} MB`, rss === undefined ? undefined : rss <= TARGETS.peakRssMb);
  for (const name of ['exchange', 'refresh']) {
    const small = scenario(name)?.product;
    const big = report.growth?.find((entry) => entry.name === name)?.product;
    const throughput = big && small ? ratio(big.rps, small.rps) : undefined;
    const p99 = big && small ? ratio(big.p99Ms, small.p99Ms) : undefined;
    check(`${name} with ${report.settings?.rows ?? 'N'} rows: throughput ≥ ${TARGETS.growth.throughput}× small tables`, times(throughput), throughput === undefined ? undefined : throughput >= TARGETS.growth.throughput);
    check(`${name} with ${report.settings?.rows ?? 'N'} rows: p99 ≤ ${TARGETS.growth.p99}× small tables`, times(p99), p99 === undefined ? undefined : p99 <= TARGETS.growth.p99);
  }
  for (const name of Object.keys(TARGETS.peer)) {
    const { product, peer } = scenario(name) ?? {};
    const versus = ratio(product?.rps, peer?.rps);
    check(`${name} throughput ≥ ${TARGETS.peer[name]}× the peer`, times(versus), versus === undefined ? undefined : versus >= TARGETS.peer[name]);
  }
  const failures = [...report.scenarios, ...(report.growth ?? [])].flatMap((entry) => SIDES.filter((side) => entry[side]?.non2xx > 0).map((side) => `${entry.name} ${side}: ${entry[side].non2xx}`));
  check('every request answered 2xx', failures.length ? failures.join(', ') : '0 failed', failures.length === 0);
  return verdicts;
}

function round(value) {
  return value === undefined ? 'n/a' : Math.round(value * 10) / 10;
}

function row(name, side, figures, { baseline, peer }) {
  const counts = figures.counts;
  return `| ${name} | ${side} | ${figures.rps} | ${figures.p50Ms} | ${figures.p99Ms} | ${figures.non2xx} | ${fixed(counts?.commitsPerRequest)} | ${fixed(counts?.writesPerRequest)} | ${statements(counts)} | ${wal(counts)} | ${fixed(counts?.cpuMsPerRequest)} | ${side === 'product' ? times(ratio(figures.rps, baseline?.rps)) : ''} | ${side === 'product' && peer ? times(ratio(figures.rps, peer.rps)) : ''} |`;
}

/** The run's figures, then the targets with their verdicts. */
export function formatReport(report) {
  const { machine, settings } = report;
  const lines = [
    `Machine: ${machine}. ${settings.duration} s per run after ${settings.warmup} s of warm-up, ${settings.connections} connections${settings.rate ? ` offering ${settings.rate} requests a second` : ''}, pool ${settings.poolSize}, ` +
      `median of ${settings.rounds} round${settings.rounds === 1 ? '' : 's'} in alternating order; load generator on the same machine. ` +
      `Per request: commits (pg_stat_database: every transaction, read-only ones included) and statements (pg_stat_statements${report.statementStats ? '' : ': not loaded on this server'}), ` +
      'both net of each database’s idle background; writes (transactions given a transaction id, on the whole server: the commits that reach the disk); ' +
      'CPU (the server process’s own, user + system, in the timed runs).',
    '',
    '| scenario | server | req/s | p50 ms | p99 ms | non-2xx | commits/req | writes/req | statements/req | WAL KB/req (full pages) | CPU ms/req | product/baseline | product/peer |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const entry of report.scenarios) {
    for (const side of SIDES) if (entry[side]) lines.push(row(entry.name, side === 'peer' ? `peer (${settings.peer})` : side, entry[side], entry));
  }
  if (report.growth?.length) {
    lines.push('', `With ${settings.rows} more tokens and spent grants in the product's tables (--rows), against its small-table figures above:`, '',
      '| scenario | req/s | p99 ms | commits/req | writes/req | statements/req | WAL KB/req (full pages) | CPU ms/req | req/s vs small | p99 vs small |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const { name, product } of report.growth) {
      const small = report.scenarios.find((scenario) => scenario.name === name)?.product;
      lines.push(`| ${name} | ${product.rps} | ${product.p99Ms} | ${fixed(product.counts?.commitsPerRequest)} | ${fixed(product.counts?.writesPerRequest)} | ${statements(product.counts)} | ${wal(product.counts)} | ${fixed(product.counts?.cpuMsPerRequest)} | ${times(ratio(product.rps, small?.rps))} | ${times(ratio(product.p99Ms, small?.p99Ms))} |`);
    }
  }
  const rss = Object.entries(report.peakRssMb ?? {}).map(([side, mb]) => `${side} ${mb} MB`).join(', ');
  lines.push('', `Peak RSS through the whole bench: ${rss}.`, '', '| target | figure | verdict |', '|---|---|---|');
  for (const { target, figure, verdict } of evaluate(report)) lines.push(`| ${target} | ${figure} | ${verdict === 'missed' ? '**missed**' : verdict} |`);
  return lines.join('\n');
}
