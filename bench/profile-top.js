// `node bench/profile-top.js <file.cpuprofile> [n]`: where a --cpu-prof profile spends its
// time, by function (self time) and by package, to read what the hot path costs.
import { readFileSync } from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(nodes.map((node) => [node.id, node]));
const self = new Map();
samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (timeDeltas[index] ?? 0)));
const total = [...self.values()].reduce((sum, value) => sum + value, 0);

const where = ({ url }) => (url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? (url.includes('/dist/') ? 'app' : url ? 'node' : '(native)'));
const functions = new Map();
const packages = new Map();
for (const [id, micros] of self) {
  const { callFrame } = byId.get(id);
  const name = `${callFrame.functionName || '(anonymous)'} ${where(callFrame)}:${callFrame.url.split('/').pop()}:${callFrame.lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + micros);
  packages.set(where(callFrame), (packages.get(where(callFrame)) ?? 0) + micros);
}
const print = (title, map, count) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    process.stdout.write(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
print('self time by package', packages, 15);
print('self time by function', functions, Number(top));
