// Usage: ZKT_UPDATE_COST=1 npx vitest run test/gadgets | node test/gadgets/update-cost.mjs
import { readFileSync, writeFileSync } from 'node:fs';
const path = new URL('./cost-snapshot.json', import.meta.url);
let snapshot = {};
try { snapshot = JSON.parse(readFileSync(path, 'utf8')); } catch {}
const input = readFileSync(0, "utf8").replace(/\x1b\[[0-9;]*m/g, "");
for (const m of input.matchAll(/COST (\{.*\})$/gm)) Object.assign(snapshot, JSON.parse(m[1]));
const sorted = Object.fromEntries(Object.keys(snapshot).sort().map((k) => [k, snapshot[k]]));
writeFileSync(path, JSON.stringify(sorted, null, 2) + '\n');
console.log(`cost-snapshot.json: ${Object.keys(sorted).length} entries`);
