/**
 * The public values of a statement, read back from the instance column by
 * the layout settings.json records (never by anything a proof file says):
 * token ids (with their text for a preset), real values dequantized at the
 * settings' scale, and for a preset's logits the predicted next token
 * (arg max of the last position's row).
 */
import { Fr } from '../field/bn254.js';
import { getPreset } from '../models/index.js';
import { tokenText } from './input.js';
import type { Settings } from './settings.js';

export interface PublicValue {
  readonly name: string;
  readonly role: 'input' | 'weight' | 'output';
  readonly count: number;
  /** Token ids (ids inputs) or real values. */
  readonly values: readonly number[];
  readonly ids?: boolean;
}

export interface PublicView {
  readonly values: readonly PublicValue[];
  /** Presets with public logits: the next token after the input. */
  readonly next?: { readonly id: number; readonly text: string };
  /** One line per value, for the terminal. */
  readonly lines: readonly string[];
}

const preview = (v: readonly number[], digits: number) => `[${v.slice(0, 8).map((x) => +x.toFixed(digits)).join(', ')}${v.length > 8 ? `, … (${v.length})` : ''}]`;

export async function publicView(s: Settings, column: readonly bigint[]): Promise<PublicView> {
  const kinds = new Map(s.inputs.map((i) => [i.name, i.kind]));
  const outName = new Map(s.outputs.map((o) => [o.tensor, o.name]));
  const preset = s.model.kind === 'preset' ? getPreset(s.model.name) : undefined;
  const values: PublicValue[] = [];
  const lines: string[] = [];
  let next: PublicView['next'];
  for (const seg of s.publicValues) {
    const raw = column.slice(seg.offset, seg.offset + seg.length).map((x) => Number(Fr.toSigned(x)));
    const ids = seg.role === 'input' && kinds.get(seg.name) === 'ids';
    const name = seg.role === 'output' ? (outName.get(seg.name) ?? seg.name) : seg.name;
    const vals = ids ? raw : raw.map((x) => x / 2 ** s.scale);
    values.push({ name, role: seg.role, count: seg.length, values: vals, ...(ids ? { ids: true } : {}) });
    if (ids && preset) {
      const text = (await Promise.all(raw.map((id) => tokenText(preset, id)))).join('');
      lines.push(`${seg.role} ${name}: ${JSON.stringify(text)} ${preview(raw, 0)}`);
    } else lines.push(`${seg.role} ${name}: ${preview(vals, 4)}`);
    if (preset && seg.role === 'output') {
      const V = preset.config.vocabulary;
      const row = raw.slice(Math.max(0, raw.length - V));
      const id = row.indexOf(Math.max(...row));
      next = { id, text: await tokenText(preset, id) };
      lines.push(`next token: ${id} ${JSON.stringify(next.text)}`);
    }
  }
  return { values, ...(next ? { next } : {}), lines };
}
