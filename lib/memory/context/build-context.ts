import type { Ctx } from '@/lib/core/context';
import type { ContextInput } from '@/lib/schemas/conversation';
import { resolveAgent } from '@/lib/core/access';
import { hybridSearch } from '@/lib/memory/search/hybrid';
import { recordReadSoon } from '@/lib/memory/records/access';
import { fitToBudget } from './token-budget';

const CANDIDATES = 50;

/**
 * A memory's text as a JSON string: it goes into someone's system prompt, where stored text must read as quoted data
 * ("ignore previous instructions" stays inside quotes) and can open no heading, tag or line of its own.
 */
export function quoted(content: string): string {
  return JSON.stringify(content.replace(/\s+/g, ' ').trim()).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

/** A memory as a list item under the heading of its date (one heading per day instead of a date on every line). */
function lineFor(id: string, content: string, createdAt: Date) {
  return { id, text: `- ${quoted(content)}`, group: createdAt.toISOString().slice(0, 10) };
}

/**
 * POST /v1/context: the memories most relevant to the conversation as a markdown block for a system prompt, grouped
 * under their dates (oldest first), never over tokenBudget; also says which memory each line came from and what the budget left out.
 */
export async function buildContext({ ctx, input }: { ctx: Ctx; input: ContextInput }) {
  const started = performance.now();
  const lastUser = [...input.messages].reverse().find((message) => message.role === 'user') ?? input.messages.at(-1)!;
  const ranked = await hybridSearch(ctx, { endUserId: input.userId, text: lastUser.content.slice(0, 8_000), limit: CANDIDATES, agentId: resolveAgent(ctx, input.agentId) });
  const header = `## What you know about ${input.userId.replace(/\s+/g, ' ')}\n`;
  const fitted = fitToBudget(header, ranked.map((memory) => lineFor(memory.id, memory.content, memory.createdAt)), input.tokenBudget);
  recordReadSoon(ctx, fitted.included.map((line) => line.id));
  return {
    text: fitted.text,
    memoriesUsed: fitted.included.length,
    tokensUsed: fitted.tokensUsed,
    retrievalMs: Math.round(performance.now() - started),
    tokenBudget: input.tokenBudget,
    lines: fitted.included.map((line) => ({ memoryId: line.id, text: line.text })),
    omitted: fitted.omitted.map((line) => ({ memoryId: line.id, reason: 'token_budget' as const })),
  };
}
