'use client';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Card, Input, Label } from '@/components/ui/primitives';
import { useApi } from './use-api';
import type { DashboardContextResponseT } from '@/lib/schemas/dashboard';

const MAX_BUDGET = 2000;

/**
 * POST /v1/context with a token-budget slider: which memories the block keeps and which the budget drops. Moving the
 * slider asks again once it rests (each ask is one search of the plan).
 */
export function PlaygroundContext({ endUser }: { endUser: string }) {
  const api = useApi();
  const [message, setMessage] = useState('');
  const [budget, setBudget] = useState(200);
  const [block, setBlock] = useState<DashboardContextResponseT | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const asked = useRef<{ message: string; endUser: string } | null>(null);
  const latest = useRef(0);

  const build = useCallback(
    async (question: { message: string; endUser: string }, tokenBudget: number) => {
      const request = ++latest.current;
      setBusy(true);
      setError(null);
      try {
        const result = await api<DashboardContextResponseT>('/api/dashboard/context', {
          method: 'POST',
          body: { userId: question.endUser, messages: [{ role: 'user', content: question.message }], tokenBudget },
        });
        // An older answer arriving after a newer one is dropped.
        if (request === latest.current) setBlock(result);
      } catch (e) {
        if (request === latest.current) setError((e as Error).message);
      } finally {
        if (request === latest.current) setBusy(false);
      }
    },
    [api],
  );

  useEffect(() => {
    if (!asked.current) return;
    const question = asked.current;
    const timer = setTimeout(() => void build(question, budget), 250);
    return () => clearTimeout(timer);
  }, [budget, build]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!message.trim()) return;
    asked.current = { message: message.trim(), endUser };
    void build(asked.current, budget);
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} className="space-y-3">
        <div className="flex gap-2">
          <Input value={message} onChange={(e) => setMessage(e.target.value)} placeholder="The end user’s latest message" aria-label="Latest user message" maxLength={8000} data-testid="context-message" />
          <Button type="submit" disabled={busy} data-testid="context-submit">Build context</Button>
        </div>
        <div>
          <Label htmlFor="context-budget">
            Token budget: <span className="tabular-nums" data-testid="context-budget-value">{budget}</span>
          </Label>
          <input
            id="context-budget"
            type="range"
            min={0}
            max={MAX_BUDGET}
            step={10}
            value={budget}
            onChange={(e) => setBudget(Number(e.target.value))}
            className="w-full accent-brand-600"
            data-testid="context-budget"
          />
        </div>
      </form>
      {error && <Alert>{error}</Alert>}
      {block && (
        <>
          <p className="text-sm text-slate-600" data-testid="context-summary" aria-busy={busy}>
            {block.lines.length} kept, {block.omitted.length} dropped · {block.tokensUsed} of {block.tokenBudget} tokens
          </p>
          <div className="grid gap-4 md:grid-cols-2">
            <Card title={`Kept (${block.lines.length})`}>
              {block.lines.length === 0 ? (
                <p className="text-sm text-slate-500">Nothing fits this budget{block.omitted.length === 0 ? ', and nothing matched' : ''}.</p>
              ) : (
                <ul className="space-y-1 text-sm" data-testid="context-kept">
                  {block.lines.map((line) => <li key={line.memoryId} data-testid="context-kept-item">{line.text.replace(/^- /, '')}</li>)}
                </ul>
              )}
            </Card>
            <Card title={`Dropped by the budget (${block.omitted.length})`}>
              {block.omitted.length === 0 ? (
                <p className="text-sm text-slate-500">Every candidate fits.</p>
              ) : (
                <ul className="space-y-1 text-sm text-slate-500 line-through decoration-slate-300" data-testid="context-dropped">
                  {block.omitted.map((line) => <li key={line.memoryId} data-testid="context-dropped-item">{line.text.replace(/^- /, '')}</li>)}
                </ul>
              )}
            </Card>
          </div>
          {block.text && (
            <Card title="The block">
              <pre className="overflow-x-auto whitespace-pre-wrap rounded bg-slate-50 p-3 text-xs" data-testid="context-text">{block.text}</pre>
            </Card>
          )}
        </>
      )}
    </div>
  );
}
