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
