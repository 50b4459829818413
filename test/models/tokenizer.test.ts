/**
 * Tokenizers: GPT-2 BPE (known encodings, round trips, special tokens stay
 * text) and the character vocabularies of the small presets.
 */
import { describe, expect, it } from 'vitest';
import { getPreset, GPT2_VOCABULARY, gpt2Tokenizer, tokenizerFor } from '../../src/models/index.js';

describe('GPT-2 BPE', () => {
  it('encodes known strings to GPT-2 ids', async () => {
    const t = await gpt2Tokenizer();
    expect(t.kind).toBe('gpt2-bpe');
    expect(t.encode('Hello world')).toEqual([15496, 995]);
    expect(t.encode(' the')).toEqual([262]);
    expect(t.decode([15496, 995])).toBe('Hello world');
  });

  it('round-trips text, including non-ASCII and special-token lookalikes', async () => {
    const t = await gpt2Tokenizer();
    for (const s of ['The quick brown fox jumps over the lazy dog.', 'naïve café — 東京 🚀', '<|endoftext|> is text here', '  spaces\n\ttabs ']) {
      const ids = t.encode(s);
      expect(ids.every((id) => id >= 0 && id < GPT2_VOCABULARY)).toBe(true);
      expect(t.decode(ids)).toBe(s);
    }
    expect(t.encode('<|endoftext|>')).not.toContain(50256);
  });

  it('rejects ids outside the vocabulary', async () => {
    const t = await gpt2Tokenizer();
    expect(() => t.decode([50257])).toThrow(/id 0 = 50257 is not in \[0, 50257\)/);
  });
});

describe('tokenizerFor', () => {
  it('gpt2-small uses BPE; the small presets use their characters', async () => {
    expect((await tokenizerFor(getPreset('gpt2-small'))).kind).toBe('gpt2-bpe');
    const tiny = await tokenizerFor(getPreset('gpt2-tiny'));
    expect(tiny.kind).toBe('char');
    expect(tiny.encode('the')).toEqual([2, 8, 1]);
    expect(tiny.decode([2, 8, 1])).toBe('the');
    expect(() => tiny.encode('x')).toThrow(/character "x" at position 0 is not in the gpt2-tiny vocabulary/);
  });
});
