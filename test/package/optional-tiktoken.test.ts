/**
 * js-tiktoken is an optional dependency: without it, GPT-2 BPE fails with an
 * error that names the package and what to do — not a bare module-not-found.
 */
import { describe, expect, it, vi } from 'vitest';

describe('optional js-tiktoken', () => {
  it('a missing js-tiktoken is a GraphError naming the package', async () => {
    vi.resetModules();
    vi.doMock('js-tiktoken/lite', () => {
      throw new Error("Cannot find package 'js-tiktoken'");
    });
    const { gpt2Tokenizer } = await import('../../src/models/tokenizer.js');
    const { GraphError } = await import('../../src/models/index.js');
    const failed = gpt2Tokenizer();
    await expect(failed).rejects.toBeInstanceOf(GraphError);
    await expect(failed).rejects.toThrow(/optional package js-tiktoken .*npm install js-tiktoken/);
    vi.doUnmock('js-tiktoken/lite');
    vi.resetModules();
  });
});
