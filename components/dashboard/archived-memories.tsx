'use client';
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, EmptyState, Input, Label, Spinner } from '@/components/ui/primitives';
import { useApi } from './use-api';
import type { MemoryViewT } from '@/lib/schemas/memory';

const PAGE_SIZE = 20;

/** Memories pruning archived (GET /api/dashboard/memories?archived=true), each with Restore. */
export function ArchivedMemories() {
  const api = useApi();
  const [endUser, setEndUser] = useState('');
  const [page, setPage] = useState<{ items: MemoryViewT[]; total: number; offset: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<string | null>(null);

  const load = useCallback(
    async (user: string, offset: number) => {
      try {
        const query = new URLSearchParams({ archived: 'true', limit: String(PAGE_SIZE), offset: String(offset), ...(user ? { external_user_id: user } : {}) });
        const result = await api<{ memories: MemoryViewT[]; total_count: number }>(`/api/dashboard/memories?${query}`);
        setPage({ items: result.memories, total: result.total_count, offset });
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [api],
  );

  useEffect(() => {
    const timer = setTimeout(() => void load(endUser.trim(), 0), 200);
    return () => clearTimeout(timer);
  }, [endUser, load]);

  async function restore(memory: MemoryViewT) {
    setRestoring(memory.id);
    setError(null);
    setNotice(null);
    try {
      await api(`/api/dashboard/memories/${memory.id}/restore`, { method: 'POST' });
      setNotice(`Restored “${memory.content}”.`);
      const offset = page && page.items.length === 1 && page.offset > 0 ? page.offset - PAGE_SIZE : (page?.offset ?? 0);
      await load(endUser.trim(), offset);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRestoring(null);
    }
  }

  return (
    <Card title="Archived memories">
      <p className="mb-3 text-sm text-slate-600">Pruning archives old or unimportant memories: they leave search, chat and context, and count against no limit until restored.</p>
      <Label htmlFor="archived-user">End user (optional)</Label>
      <Input id="archived-user" value={endUser} onChange={(e) => setEndUser(e.target.value)} placeholder="every end user" data-testid="archived-user-filter" />
      <div className="mt-3 space-y-3">
        {error && <Alert>{error}</Alert>}
        {notice && <Alert tone="success" testId="archived-notice">{notice}</Alert>}
        {page === null ? (
          <Spinner />
        ) : page.items.length === 0 ? (
          <EmptyState title="No archived memories">Memories that pruning archives show here, ready to restore.</EmptyState>
        ) : (
          <>
            <ul className="divide-y divide-slate-100" data-testid="archived-list">
              {page.items.map((memory) => (
                <li key={memory.id} className="flex items-start justify-between gap-4 py-3" data-testid="archived-item">
                  <div className="text-sm">
                    <span data-testid="archived-content">{memory.content}</span>
                    <span className="mt-0.5 block text-xs text-slate-500">{memory.external_user_id} · stored {new Date(memory.created_at).toLocaleDateString()}</span>
                  </div>
                  <Button variant="secondary" disabled={restoring === memory.id} onClick={() => void restore(memory)} data-testid="restore-memory">
                    {restoring === memory.id ? 'Restoring…' : 'Restore'}
                  </Button>
                </li>
              ))}
            </ul>
            {page.total > PAGE_SIZE && (
              <div className="flex items-center justify-between text-sm">
                <Button variant="secondary" disabled={page.offset === 0} onClick={() => void load(endUser.trim(), Math.max(0, page.offset - PAGE_SIZE))}>Previous</Button>
                <span className="text-slate-500">{page.offset + 1}–{Math.min(page.total, page.offset + PAGE_SIZE)} of {page.total}</span>
                <Button variant="secondary" disabled={page.offset + PAGE_SIZE >= page.total} onClick={() => void load(endUser.trim(), page.offset + PAGE_SIZE)}>Next</Button>
              </div>
            )}
          </>
        )}
      </div>
    </Card>
  );
}
