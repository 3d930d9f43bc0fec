import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '@/lib/env';
import { chooseLlmProvider } from '@/lib/llm';

describe('parseEnv', () => {
  it('runs on embedded defaults with nothing set', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ EMBEDDING_PROVIDER: 'local', PORT: 3000, supabaseAuth: false });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(chooseLlmProvider(env)).toBe('offline');
  });
  it('limits sign-ups per client address to 10 a minute unless configured, and refuses 0', () => {
    expect(parseEnv({}).SIGNUPS_PER_CLIENT_PER_MINUTE).toBe(10);
    expect(parseEnv({ SIGNUPS_PER_CLIENT_PER_MINUTE: '500' }).SIGNUPS_PER_CLIENT_PER_MINUTE).toBe(500);
    expect(() => parseEnv({ SIGNUPS_PER_CLIENT_PER_MINUTE: '0' })).toThrow(/SIGNUPS_PER_CLIENT_PER_MINUTE/);
  });
  it('names the variable that is wrong', () => {
    expect(() => parseEnv({ EMBEDDING_PROVIDER: 'cohere' })).toThrow(/EMBEDDING_PROVIDER/);
    expect(() => parseEnv({ EMBEDDING_PROVIDER: 'openai' })).toThrow(ConfigError);
    expect(() => parseEnv({ NEXT_PUBLIC_SUPABASE_URL: 'https://x.supabase.co' })).toThrow(/NEXT_PUBLIC_SUPABASE_ANON_KEY/);
  });
  it('starts on .env.example as it is (copied to .env): an empty variable is an unset one', () => {
    const example: Record<string, string> = {};
    for (const line of fs.readFileSync('.env.example', 'utf8').split('\n')) {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (match) example[match[1]!] = match[2]!;
    }
    expect(Object.keys(example).length).toBeGreaterThan(30);
    expect(example.EMBEDDING_DIMENSIONS).toBe('');
    const env = parseEnv(example);
    expect(env).toMatchObject({ EMBEDDING_PROVIDER: 'local', supabaseAuth: false });
    expect(env.EMBEDDING_DIMENSIONS).toBeUndefined();
    expect(chooseLlmProvider(env)).toBe('offline');
    expect(parseEnv({ PORT: '  ' }).PORT).toBe(3000);
  });
  it('never switches embeddings because an LLM key is present', () => {
    const env = parseEnv({ OPENAI_API_KEY: 'sk', GOOGLE_GENERATIVE_AI_API_KEY: 'g' });
    expect(env.EMBEDDING_PROVIDER).toBe('local');
    expect(chooseLlmProvider(env)).toBe('google');
    expect(chooseLlmProvider(parseEnv({ OPENAI_API_KEY: 'sk', GOOGLE_GENERATIVE_AI_API_KEY: 'g', LLM_PROVIDER: 'openai' }))).toBe('openai');
  });
});
