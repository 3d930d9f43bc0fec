'use client';
import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, Input } from '@/components/ui/primitives';
import { useApi } from './use-api';
import type { z } from 'zod';
import type { FilteredSearchResponse } from '@/lib/schemas/conversation';

type Hit = z.infer<typeof FilteredSearchResponse>['memories'][number];
type Part = Exclude<keyof NonNullable<Hit['explain']>, 'cosineSimilarity'>;

// The parts of a hybrid score (lib/memory/search/ranking.ts), in the order they are added up.
const SIGNALS: { part: Part; label: string; color: string }[] = [
  { part: 'semantic', label: 'Vector', color: 'bg-brand-600' },
  { part: 'keyword', label: 'Keyword (BM25)', color: 'bg-emerald-500' },
  { part: 'entity', label: 'Entities', color: 'bg-amber-500' },
  { part: 'temporal', label: 'Time', color: 'bg-fuchsia-500' },
  { part: 'conversation', label: 'Conversation', color: 'bg-sky-500' },
  { part: 'recency', label: 'Recency', color: 'bg-slate-500' },
  { part: 'importance', label: 'Importance', color: 'bg-rose-500' },
];

/** POST /v1/search with explain: each result's score split into its signals, drawn to one scale across the results. */
export function PlaygroundSearch({ endUser }: { endUser: string }) {
  const api = useApi();
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const query = String(new FormData(event.currentTarget).get('query') ?? '').trim();
    if (!query) return;
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ memories: Hit[] }>('/api/dashboard/search', { method: 'POST', body: { userId: endUser, query, limit: 10, explain: true } });
      setHits(result.memories);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const scale = Math.max(0.0001, ...(hits ?? []).flatMap((hit) => SIGNALS.map(({ part }) => hit.explain?.[part] ?? 0)));

  return (
    <div className="space-y-4">
      <form onSubmit={onSearch} className="flex gap-2">
        <Input name="query" placeholder="Search this end user’s memories" aria-label="Search query" maxLength={8000} data-testid="explain-query" />
        <Button type="submit" disabled={busy} data-testid="explain-submit">{busy ? 'Searching…' : 'Search'}</Button>
      </form>
      {error && <Alert>{error}</Alert>}
      {hits && (
        <Card title="Results, with each signal’s part of the score">
          <ul className="mb-3 flex flex-wrap gap-3 text-xs text-slate-600" aria-label="Legend">
            {SIGNALS.map(({ part, label, color }) => (
              <li key={part} className="inline-flex items-center gap-1"><span className={`inline-block h-2 w-3 rounded ${color}`} />{label}</li>
            ))}
          </ul>
          {hits.length === 0 ? (
            <p className="text-sm text-slate-500" data-testid="explain-empty">Nothing matched. Store memories for this end user first, or check the end user id.</p>
          ) : (
            <ol className="space-y-4" data-testid="explain-results">
              {hits.map((hit) => (
                <li key={hit.id} className="space-y-1" data-testid="explain-result">
                  <div className="flex justify-between gap-4 text-sm">
                    <span data-testid="explain-content">{hit.content}</span>
                    <span className="shrink-0 text-xs text-slate-500 tabular-nums">
                      score {hit.score.toFixed(3)} · cosine {hit.explain?.cosineSimilarity.toFixed(2)}
                    </span>
                  </div>
                  <dl className="grid grid-cols-[8rem_1fr_3.5rem] items-center gap-x-2 gap-y-0.5 text-xs">
                    {SIGNALS.map(({ part, label, color }) => {
                      const value = hit.explain?.[part] ?? 0;
                      return (
                        <div key={part} className="contents" data-testid={`explain-bar-${part}`} data-value={value}>
                          <dt className="text-slate-600">{label}</dt>
                          <dd className="h-2 rounded bg-slate-100" aria-label={`${label}: ${value.toFixed(3)}`}>
                            <div className={`h-full rounded ${color}`} style={{ width: `${(value / scale) * 100}%` }} />
                          </dd>
                          <dd className="text-right tabular-nums text-slate-500">{value.toFixed(3)}</dd>
                        </div>
                      );
                    })}
                  </dl>
                </li>
              ))}
            </ol>
          )}
        </Card>
      )}
    </div>
  );
}
