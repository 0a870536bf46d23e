import { describe, expect, it } from '@jest/globals';
import { evaluate, formatReport } from './report.js';

const side = (rps, p99Ms, counts = {}) => ({ rps, p50Ms: p99Ms / 2, p99Ms, non2xx: 0, counts });
const one = { commitsPerRequest: 1, writesPerRequest: 1, statementsPerRequest: 1, walKbPerRequest: 1.25, walFpiPerRequest: 0.5 };

function report(overrides = {}) {
  return {
    machine: 'test machine',
    settings: { duration: 10, warmup: 3, connections: 50, poolSize: 10, rounds: 1 },
    statementStats: true,
    scenarios: [
      { name: 'bearer', product: side(1200, 20, { commitsPerRequest: 0, writesPerRequest: 0 }), baseline: side(1000, 20) },
      { name: 'exchange', product: side(900, 60, one), baseline: side(1000, 40) },
      { name: 'refresh', product: side(950, 61, { ...one, commitsPerRequest: 2 }), baseline: side(1000, 40) },
    ],
    growth: [],
    peakRssMb: { product: 200, baseline: 80 },
    ...overrides,
  };
}

const verdictOf = (verdicts, start) => verdicts.find(({ target }) => target.startsWith(start))?.verdict;

describe('the bench report', () => {
  it('meets a target exactly at its limit and misses it just past', () => {
    const verdicts = evaluate(report());
    expect(verdictOf(verdicts, 'bearer throughput')).toBe('met'); // 1.20×
    expect(verdictOf(verdicts, 'exchange throughput')).toBe('met'); // 0.90×
    expect(verdictOf(verdicts, 'exchange p99')).toBe('met'); // 60 ms against 1.5 × 40 ms
    expect(verdictOf(verdicts, 'refresh p99')).toBe('missed'); // 61 ms
    expect(verdictOf(verdicts, 'bearer p99')).toBe('met'); // equal to the baseline's
    expect(verdictOf(verdicts, 'product peak RSS')).toBe('met'); // 200 MB
    const heavier = evaluate(report({ peakRssMb: { product: 201 } }));
    expect(verdictOf(heavier, 'product peak RSS')).toBe('missed');
  });

  it('checks one write and one commit per request, within rounding', () => {
    const verdicts = evaluate(report());
    expect(verdictOf(verdicts, 'write transactions per exchange')).toBe('met');
    expect(verdictOf(verdicts, 'commits per exchange')).toBe('met');
    expect(verdictOf(verdicts, 'commits per refresh')).toBe('missed');
    const rounding = evaluate(report({ scenarios: [{ name: 'exchange', product: side(900, 60, { commitsPerRequest: 1.02, writesPerRequest: 1.03 }), baseline: side(1000, 40) }] }));
    expect(verdictOf(rounding, 'commits per exchange')).toBe('met');
    expect(verdictOf(rounding, 'write transactions per exchange')).toBe('missed');
  });

  it('says "not run" for what the run did not measure, rather than met or missed', () => {
    const verdicts = evaluate(report({ scenarios: report().scenarios.filter(({ name }) => name !== 'bearer') }));
    expect(verdictOf(verdicts, 'bearer throughput')).toBe('not run');
    expect(verdictOf(verdicts, 'exchange throughput ≥ 1.5× the peer')).toBe('not run');
    expect(verdictOf(verdicts, 'exchange with N rows')).toBe('not run');
  });

  it('compares with the peer and with the big tables when they ran', () => {
    const scenarios = report().scenarios.map((entry) => (entry.name === 'bearer' ? entry : { ...entry, peer: side(600, 100) }));
    const growth = [{ name: 'exchange', product: side(810, 72, one) }, { name: 'refresh', product: side(800, 80, one) }];
    const verdicts = evaluate(report({ scenarios, growth, settings: { ...report().settings, rows: 1000000 } }));
    expect(verdictOf(verdicts, 'exchange throughput ≥ 1.5× the peer')).toBe('met'); // 900 / 600
    expect(verdictOf(verdicts, 'refresh throughput ≥ 1.5× the peer')).toBe('met');
    expect(verdictOf(verdicts, 'exchange with 1000000 rows: throughput')).toBe('met'); // 0.90×
    expect(verdictOf(verdicts, 'exchange with 1000000 rows: p99')).toBe('met'); // 1.20×
    expect(verdictOf(verdicts, 'refresh with 1000000 rows: throughput')).toBe('missed'); // 0.84×
    expect(verdictOf(verdicts, 'refresh with 1000000 rows: p99')).toBe('missed'); // 1.31×
  });

  it('names every failed request, and prints each target with its verdict', () => {
    const failing = report();
    failing.scenarios[1].product.non2xx = 3;
    expect(evaluate(failing).at(-1)).toEqual({ target: 'every request answered 2xx', figure: 'exchange product: 3', verdict: 'missed' });
    const text = formatReport(failing);
    expect(text).toContain('| exchange | product | 900 | 30 | 60 | 3 | 1.00 | 1.00 | 1.00 | 1.3 (0.50) | n/a | 0.90× |  |');
    expect(text).toContain('| refresh p99 ≤ 1.5× the baseline’s | 61 ms (limit 60 ms) | **missed** |');
  });
});
