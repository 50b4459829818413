// Run inside the consumer project by pack.test.ts: every subpath the package
// exports loads from plain JavaScript, names the README promises are there,
// and a little real work runs through the installed build.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(require.resolve('zktensor/package.json'), 'utf8'));
const expected = {
  '.': ['Fr', 'packedFr', 'KzgParams', 'unsafeDevSrs', 'keygen', 'prove', 'verify', 'ConstraintSystem', 'MockProver', 'ZkTensorError'],
  './field': ['Fr', 'Fq', 'packedFr', 'ZkTensorError'],
  './curve': ['msm', 'packedG1'],
  './poly': ['Domain', 'Ntt'],
  './pcs': ['KzgParams', 'unsafeDevSrs', 'readPtau'],
  './plonkish': ['ConstraintSystem', 'MockProver', 'keygen', 'prove', 'verify'],
  './gadgets': ['GadgetContext'],
  './models': ['parseOnnx', 'onnxToGraph', 'GraphBuilder', 'compileModel', 'calibrate', 'getPreset', 'presetNames', 'estimateCost'],
  './cli': ['runCli'],
};
const missing = [];
for (const sub of Object.keys(pkg.exports)) {
  if (sub === './package.json') continue;
  const spec = sub === '.' ? 'zktensor' : `zktensor/${sub.slice(2)}`;
  const mod = await import(spec);
  if (Object.keys(mod).length === 0) missing.push(`${spec}: no exports`);
  for (const name of expected[sub] ?? [`(no expectations listed for ${sub})`]) if (!(name in mod)) missing.push(`${spec}: ${name}`);
}
for (const sub of Object.keys(expected)) if (!(sub in pkg.exports)) missing.push(`package.json exports: ${sub}`);
if (missing.length) throw new Error(`missing exports:\n  ${missing.join('\n  ')}`);

const { Fr, packedFr } = await import('zktensor/field');
const F = packedFr();
const a = F.fromBigints([1n, 2n, 3n]);
const b = F.fromBigints([4n, 5n, Fr.p - 1n]);
F.mul(a, a, b);
const got = a.toBigints().join(',');
if (got !== `4,10,${Fr.p - 3n}`) throw new Error(`field product: got ${got}`);

const { parseOnnx, onnxToGraph } = await import('zktensor/models');
const lowered = onnxToGraph(parseOnnx(new Uint8Array(readFileSync(new URL('./mlp.onnx', import.meta.url)))));
if (!lowered.graph) throw new Error('onnxToGraph: no graph');
console.log(`ok: ${Object.keys(pkg.exports).length - 1} entry points`);
