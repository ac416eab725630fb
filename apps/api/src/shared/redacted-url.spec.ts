import { redactedUrl } from './redacted-url';

describe('redactedUrl', () => {
  it('masks the user and password of a URL, keeping where it points', () => {
    expect(redactedUrl('https://user:s3cr3t@llm.example.com:8443/v1')).toBe(
      'https://***:***@llm.example.com:8443/v1',
    );
    expect(redactedUrl('redis://:s3cr3t@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(redactedUrl('https://sk-s3cr3t@llm.example.com/v1')).toBe(
      'https://***@llm.example.com/v1',
    );
  });

  it('masks every query value and drops the fragment', () => {
    const shown = redactedUrl(
      'https://host/openai/v1?api-key=s3cr3t&api-version=2024-10-21&key=a&key=b#token=s3cr3t',
    );
    expect(shown).toBe('https://host/openai/v1?api-key=***&api-version=***&key=***');
    expect(shown).not.toContain('s3cr3t');
  });

  it('leaves a URL without secrets as it is', () => {
    expect(redactedUrl('http://127.0.0.1:11434/v1')).toBe('http://127.0.0.1:11434/v1');
    expect(redactedUrl('rediss://cache.internal:6380')).toBe('rediss://cache.internal:6380');
    expect(redactedUrl('http://cache:6379')).toBe('http://cache:6379');
  });

  it('masks whole what is not a URL with a host', () => {
    expect(redactedUrl('user:s3cr3t@host')).toBe('***');
    expect(redactedUrl('localhost:1234')).toBe('***');
    expect(redactedUrl('')).toBe('***');
  });
});
