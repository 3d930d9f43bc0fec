import fs from 'node:fs';
import { z } from 'zod';

// The LoCoMo-derived evaluation format (see ../shared/eval/README.md); our own fixture uses the same shape.
export const EvalDataset = z.object({
  meta: z.record(z.string(), z.unknown()).optional(),
  conversations: z.array(
    z.object({
      id: z.string(),
      speakers: z.array(z.string()),
      turns: z.array(z.object({ id: z.string(), session: z.number(), date: z.string().optional(), date_iso: z.string().optional(), speaker: z.string(), text: z.string() })),
      questions: z.array(z.object({ q: z.string(), answer: z.unknown().optional(), evidence: z.array(z.string()), category: z.number() })),
    }),
  ),
});

export type EvalDatasetT = z.infer<typeof EvalDataset>;
export type Conversation = EvalDatasetT['conversations'][number];

export function loadDataset(path: string): EvalDatasetT {
  return EvalDataset.parse(JSON.parse(fs.readFileSync(path, 'utf8')));
}

export const turnText = (turn: Conversation['turns'][number]) => `${turn.speaker}: ${turn.text}`;

/** The session's date as the ingest `timestamp` (date_iso is local time without an offset; read as UTC). */
export function sessionTimestamp(turn: Conversation['turns'][number]): { timestamp?: string } {
  const at = turn.date_iso ? new Date(/[zZ]|[+-]\d\d:\d\d$/.test(turn.date_iso) ? turn.date_iso : `${turn.date_iso}Z`) : null;
  return at && !Number.isNaN(at.getTime()) ? { timestamp: at.toISOString() } : {};
}

/**
 * A conversation as POST /v1/ingest bodies: one per session (at most 200 turns each), every speaker as a named user
 * turn, dated by the session's date; `turns[i]` is the turn of message i, so a memory's sourceMessageIndex maps back
 * to its turn.
 */
export function ingestRequests(conversation: Conversation, endUser: string) {
  const sessions = new Map<number, Conversation['turns']>();
  for (const turn of conversation.turns) sessions.set(turn.session, [...(sessions.get(turn.session) ?? []), turn]);
  return [...sessions.values()].flatMap((turns) =>
    Array.from({ length: Math.ceil(turns.length / 200) }, (_, i) => {
      const chunk = turns.slice(i * 200, i * 200 + 200);
      const session = chunk[0]!.session;
      return {
        turns: chunk,
        body: {
          userId: endUser,
          conversationId: `${endUser}-s${session}`,
          messages: chunk.map((turn) => ({ role: 'user' as const, name: turn.speaker, content: turnText(turn) })),
          metadata: { session },
          ...sessionTimestamp(chunk[0]!),
        },
      };
    }),
  );
}
