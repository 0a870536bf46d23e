// The targets, and the report as a markdown table (pasted into the README as is).
export const TARGETS = { bearerRatio: 1.0, exchangeRatio: 0.7, p99Ms: 50, rssMb: 200 };

export function formatReport({ scenarios, peakRssMb }, { machine, duration, connections, poolSize }) {
  const lines = [
    `Machine: ${machine}. ${duration} s per run at ${connections} connections, pool ${poolSize}; load generator on the same machine.`,
    '',
    '| scenario | server | req/s | p50 ms | p99 ms | non-2xx | product/baseline |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const { name, product, baseline, ratio } of scenarios) {
    lines.push(`| ${name} | product | ${product.rps} | ${product.p50Ms} | ${product.p99Ms} | ${product.non2xx} | **${ratio.toFixed(2)}×** |`);
    lines.push(`| ${name} | baseline | ${baseline.rps} | ${baseline.p50Ms} | ${baseline.p99Ms} | ${baseline.non2xx} | |`);
  }
  lines.push('', `Product server peak RSS: ${peakRssMb} MB.`);
  return lines.join('\n');
}

/** The targets this report misses, each with its measured figure. */
export function meetsTargets({ scenarios, peakRssMb }) {
  const misses = [];
  for (const { name, product, ratio } of scenarios) {
    const floor = name === 'bearer' ? TARGETS.bearerRatio : name === 'exchange' ? TARGETS.exchangeRatio : undefined;
    if (floor !== undefined && ratio < floor) misses.push(`${name} ratio ${ratio} < ${floor}`);
    if (product.p99Ms > TARGETS.p99Ms) misses.push(`${name} p99 ${product.p99Ms} ms > ${TARGETS.p99Ms} ms`);
    if (product.non2xx > 0) misses.push(`${name} ${product.non2xx} non-2xx`);
  }
  if (peakRssMb > TARGETS.rssMb) misses.push(`peak RSS ${peakRssMb} MB > ${TARGETS.rssMb} MB`);
  return misses;
}
