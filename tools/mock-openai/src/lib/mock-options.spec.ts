import {
  applyMockOptions,
  DEFAULT_MOCK_OPTIONS,
  MockOptionsError,
  validateMockOptionsPatch,
} from './mock-options';

describe('validateMockOptionsPatch', () => {
  it('accepts a valid partial', () => {
    const patch = { chunks: 3, fault: 'cut', cutAfterChunks: 1, models: ['m'] };
    expect(validateMockOptionsPatch(patch)).toEqual(patch);
  });

  it('reads null and "Infinity" as an unlimited faultCount, since JSON has no Infinity', () => {
    expect(validateMockOptionsPatch({ faultCount: null })).toEqual({ faultCount: Infinity });
    expect(validateMockOptionsPatch({ faultCount: 'Infinity' })).toEqual({ faultCount: Infinity });
  });

  it('keeps an explicit undefined requireApiKey so it can turn the check off', () => {
    const patch = validateMockOptionsPatch({ requireApiKey: undefined, chunks: undefined });
    expect(Object.keys(patch)).toEqual(['requireApiKey']);
    expect(
      applyMockOptions({ ...DEFAULT_MOCK_OPTIONS, requireApiKey: 'k' }, patch).requireApiKey,
    ).toBeUndefined();
  });

  it.each([
    [{ chunks: 0 }, /chunks must be an integer from 1/],
    [{ chunkDelayMs: -1 }, /chunkDelayMs/],
    [{ chunksPerWrite: 0 }, /chunksPerWrite must be an integer from 1/],
    [{ fault: 'explode' }, /fault must be one of none, status, cut, malformed/],
    [{ finishReason: 'tool_calls' }, /finishReason must be one of stop, length, content_filter/],
    [{ faultStatus: 200 }, /faultStatus must be an integer from 400 to 599/],
    [{ models: [] }, /models must be a non-empty array/],
    [{ requireApiKey: '' }, /requireApiKey must not be empty/],
    [{ chunkDelay: 5 }, /unknown option "chunkDelay"/],
  ])('rejects %p', (patch, message) => {
    expect(() => validateMockOptionsPatch(patch)).toThrow(MockOptionsError);
    expect(() => validateMockOptionsPatch(patch)).toThrow(message);
  });

  it('rejects a non-object', () => {
    expect(() => validateMockOptionsPatch([1])).toThrow(/options must be an object/);
  });
});

describe('applyMockOptions', () => {
  it('leaves the base untouched and copies the models array', () => {
    const models = ['a'];
    const merged = applyMockOptions(DEFAULT_MOCK_OPTIONS, { models });
    models.push('b');
    expect(merged.models).toEqual(['a']);
    expect(DEFAULT_MOCK_OPTIONS.models).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });
});
