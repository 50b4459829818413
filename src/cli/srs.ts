/**
 * `zktensor srs`: write an SRS as a halo2 params file (with its Lagrange
 * basis): from a ceremony .ptau (`--ptau`, truncated to `--k`), or the
 * UNSAFE development SRS (`--k`, public τ) for tests.
 */
import { writeFileSync } from 'node:fs';
import { lagrangeBasisSrs, readPtau, type Srs, truncateSrs, unsafeDevSrs, writeHalo2Params } from '../pcs/index.js';
import { type Args, type CommandSpec, flag, has, intFlag, readBytes, requireFlag } from './args.js';
import { type CommandIo, EXIT_OK } from './common.js';
import { UsageError } from './errors.js';
import { DEV_SRS_SEED, srsIdentity } from './srs-source.js';

export const SRS: CommandSpec = {
  name: 'srs',
  summary: 'a .ptau as halo2 params (with the Lagrange basis), or an UNSAFE dev SRS',
  help: `usage: zktensor srs --ptau FILE [--k N] --out FILE    a ceremony .ptau as halo2 params
       zktensor srs --k N --out FILE [--seed S]         an UNSAFE dev SRS (public τ, k ≤ 24)`,
  options: { k: 'string', out: 'string', seed: 'string', ptau: 'string', json: 'boolean' },
};

export async function cmdSrs(args: Args, io: CommandIo): Promise<number> {
  const out = requireFlag(args, 'out', 'srs.params');
  const ptau = flag(args, 'ptau');
  const k = intFlag(args, 'k', 1, 24);
  let srs: Srs;
  let warning: string | undefined;
  if (ptau) {
    const bytes = readBytes(ptau, '--ptau');
    let full: Srs;
    try {
      full = readPtau(bytes);
    } catch (e) {
      throw new UsageError(`--ptau: ${ptau} is not a usable .ptau file (${(e as Error).message})`);
    }
    if (k !== undefined && k > full.k) throw new UsageError(`--k: ${ptau} holds 2^${full.k} powers, asked for k = ${k}`);
    const cut = k === undefined || k === full.k ? full : truncateSrs(full, k);
    srs = { ...cut, g1Lagrange: lagrangeBasisSrs(cut) };
  } else {
    if (k === undefined) throw new UsageError('srs: missing --k (or --ptau FILE)');
    srs = unsafeDevSrs(k, flag(args, 'seed') ?? DEV_SRS_SEED);
    warning = 'UNSAFE development SRS: its τ is derived from a public seed; proofs over it are forgeable';
  }
  const bytes = writeHalo2Params(srs.g1Lagrange ? srs : { ...srs, g1Lagrange: lagrangeBasisSrs(srs) });
  writeFileSync(out, bytes);
  const identity = srsIdentity(srs);
  const msg = { ok: true, k: srs.k, out, bytes: bytes.length, identity, ...(ptau ? { from: ptau } : {}), ...(warning ? { warning } : {}) };
  io.out(has(args, 'json') ? JSON.stringify(msg) : `wrote ${out} (k = ${srs.k}, ${bytes.length} bytes${ptau ? `, from ${ptau}` : ''}; SRS ${identity.slice(0, 16)}…).${warning ? ` ${warning}` : ''}`);
  return EXIT_OK;
}
