/**
 * ONNX input JSON layouts: by name, bare array, {"inputs": …} and EZKL's
 * {"input_data": [[…]]} (EZKL's own nanoGPT input file, as shipped).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOnnxInputs } from '../../src/cli/input.js';
import { UsageError } from '../../src/cli/errors.js';
import { parseOnnx } from '../../src/models/index.js';

const fixture = (p: string) => resolve(__dirname, '../fixtures', p);

describe('parseOnnxInputs', () => {
  const model = parseOnnx(new Uint8Array(readFileSync(fixture('ezkl-nanogpt/network.onnx'))));
  const name = model.graph.inputs[0]!.name;
  const ezkl = JSON.parse(readFileSync(fixture('ezkl-nanogpt/input.json'), 'utf8')) as { input_data: number[][] };

  it("reads EZKL's input_data layout as the model's inputs in order", () => {
    const { values } = parseOnnxInputs(model, ezkl, {});
    expect(values[name]).toEqual(ezkl.input_data[0]);
    expect(values[name]).toHaveLength(64);
    // the same values by name give the same result
    expect(parseOnnxInputs(model, { [name]: ezkl.input_data[0] }, {}).values).toEqual(values);
  });

  it('names the mismatch when input_data has the wrong number of arrays', () => {
    const two = { input_data: [ezkl.input_data[0], ezkl.input_data[0]] };
    expect(() => parseOnnxInputs(model, two, {})).toThrow(UsageError);
    expect(() => parseOnnxInputs(model, two, {})).toThrow(/input_data holds 2 arrays; the model has 1 inputs/);
    expect(() => parseOnnxInputs(model, { input_data: [ezkl.input_data[0]!.slice(1)] }, {})).toThrow(/shape \[batch_size, 64\]/);
  });
});
