import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import type { Env } from '@/lib/env';
import { createAiSdkLlm } from './ai-sdk';
import { createOfflineLlm } from './offline';
import type { Llm } from './types';

export type { Llm, LlmMessage, LlmRequest, LlmResult } from './types';

/** Which provider: LLM_PROVIDER when set; else Gemini if its key is set, else OpenAI (key or base URL), else offline. */
export function chooseLlmProvider(env: Env): 'google' | 'openai' | 'offline' {
  if (env.LLM_PROVIDER) return env.LLM_PROVIDER;
  if (env.GOOGLE_GENERATIVE_AI_API_KEY) return 'google';
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) return 'openai';
  return 'offline';
}

export function createLlm(env: Env): Llm {
  const provider = chooseLlmProvider(env);
  if (provider === 'google') {
    const modelName = env.LLM_MODEL ?? 'gemini-2.5-flash';
    const google = createGoogleGenerativeAI({ apiKey: env.GOOGLE_GENERATIVE_AI_API_KEY, baseURL: env.GOOGLE_GENERATIVE_AI_BASE_URL });
    return createAiSdkLlm({ model: google(modelName), modelName, timeoutMs: env.LLM_TIMEOUT_MS, maxOutputTokens: env.LLM_MAX_OUTPUT_TOKENS });
  }
  if (provider === 'openai') {
    const modelName = env.LLM_MODEL ?? 'gpt-4o-mini';
    // Chat Completions is the wire format OpenAI-compatible servers (Ollama, vLLM, llama.cpp) speak.
    const openai = createOpenAI({ apiKey: env.OPENAI_API_KEY ?? 'not-needed', baseURL: env.OPENAI_BASE_URL });
    return createAiSdkLlm({ model: openai.chat(modelName), modelName, timeoutMs: env.LLM_TIMEOUT_MS, maxOutputTokens: env.LLM_MAX_OUTPUT_TOKENS });
  }
  return createOfflineLlm();
}
