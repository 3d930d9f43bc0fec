'use client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, EmptyState, Input, Label, Spinner } from '@/components/ui/primitives';
import { ArchivedMemories } from './archived-memories';
import { Tabs } from './widgets';
import { useApi } from './use-api';
import type { MemoryHistoryResponseT } from '@/lib/schemas/conversation';
import type { AccountSearchResponseT, EndUsersResponseT } from '@/lib/schemas/dashboard';
import type { MemoryDetailViewT, MemoryViewT } from '@/lib/schemas/memory';

// The wire views, typed from the same schemas the API answers with.
type EndUser = EndUsersResponseT['end_users'][number];
type Memory = MemoryViewT;
type SearchHit = AccountSearchResponseT['results'][number];
type Detail = MemoryDetailViewT;
type HistoryEntry = MemoryHistoryResponseT['history'][number];

const PAGE_SIZE = 20;

export function MemoriesPage() {
  const api = useApi();
  const [filter, setFilter] = useState('');
  const [users, setUsers] = useState<EndUser[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [memories, setMemories] = useState<{ items: Memory[]; total: number; offset: number } | null>(null);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [allHits, setAllHits] = useState<SearchHit[] | null>(null);
  const [searchingAll, setSearchingAll] = useState(false);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [confirmText, setConfirmText] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [view, setView] = useState<'active' | 'archived'>('active');

  const loadUsers = useCallback(async (search: string) => {
    try {
      const query = new URLSearchParams({ limit: '100', ...(search ? { search } : {}) });
      setUsers((await api<{ end_users: EndUser[] }>(`/api/dashboard/end-users?${query}`)).end_users);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api]);

  const loadMemories = useCallback(async (user: string, offset: number) => {
    try {
      const query = new URLSearchParams({ external_user_id: user, limit: String(PAGE_SIZE), offset: String(offset) });
      const page = await api<{ memories: Memory[]; total_count: number }>(`/api/dashboard/memories?${query}`);
      setMemories({ items: page.memories, total: page.total_count, offset });
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api]);

  useEffect(() => {
    const timer = setTimeout(() => void loadUsers(filter), 200);
    return () => clearTimeout(timer);
  }, [filter, loadUsers]);

  function choose(user: string) {
    setSelected(user);
    setHits(null);
    setDetail(null);
    setConfirmText('');
    setNotice(null);
    setMemories(null);
    void loadMemories(user, 0);
  }

  async function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!selected) return;
    const query = String(new FormData(event.currentTarget).get('query') ?? '').trim();
    if (!query) return setHits(null);
    try {
      const result = await api<{ results: SearchHit[] }>('/api/dashboard/memories/search', { method: 'POST', body: { query, external_user_id: selected, limit: 20, similarity_threshold: 0 } });
      setHits(result.results);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  /** Across every end user of the account (the server uses an HNSW index with iterative scans). */
  async function onSearchAll(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const query = String(new FormData(event.currentTarget).get('query') ?? '').trim();
    if (!query) return setAllHits(null);
    setSearchingAll(true);
    try {
      const result = await api<{ results: SearchHit[] }>('/api/dashboard/memories/search', { method: 'POST', body: { query, limit: 20, similarity_threshold: 0 } });
      setAllHits(result.results);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSearchingAll(false);
    }
  }

  async function openFromAll(hit: SearchHit) {
    choose(hit.memory.external_user_id);
    await openDetail(hit.memory.id);
  }

  async function openDetail(id: string) {
    try {
      const [memory, chain] = await Promise.all([
        api<Detail>(`/api/dashboard/memories/${id}`),
        api<{ history: HistoryEntry[] }>(`/api/dashboard/memories/${id}/history`),
      ]);
      setDetail(memory);
      setHistory(chain.history);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function removeMemory(id: string) {
    try {
      await api(`/api/dashboard/memories/${id}`, { method: 'DELETE' });
      setDetail(null);
      setHits((current) => current?.filter((hit) => hit.memory.id !== id) ?? null);
      if (selected) await loadMemories(selected, memories?.offset ?? 0);
      await loadUsers(filter);
      setNotice('Memory deleted.');
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function removeUser() {
    if (!selected) return;
    try {
      const result = await api<{ deleted: { memories: number } }>(`/api/dashboard/end-users/${encodeURIComponent(selected)}`, { method: 'DELETE' });
      setNotice(`Deleted ${result.deleted.memories} memories of ${selected}.`);
      setSelected(null);
      setMemories(null);
      await loadUsers(filter);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const list = hits ? hits.map((hit) => ({ memory: hit.memory, score: hit.similarity })) : memories?.items.map((memory) => ({ memory, score: null })) ?? [];

  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Memories</h1>
        <p className="mt-1 text-sm text-slate-600">Browse, search and delete what your end users’ memories hold.</p>
      </header>
      <Tabs tabs={[{ id: 'active', label: 'Active' }, { id: 'archived', label: 'Archived' }]} value={view} onChange={setView} testId="memories-view" />
      {view === 'archived' ? <ArchivedMemories /> : <>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert tone="success" testId="memories-notice">{notice}</Alert>}
      <div className="grid gap-6 lg:grid-cols-[18rem_1fr]">
        <Card title="End users">
          <Label htmlFor="user-filter">Find an end user</Label>
          <Input id="user-filter" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="email or id" data-testid="end-user-filter" />
          <ul className="mt-3 max-h-[28rem] divide-y divide-slate-100 overflow-y-auto" data-testid="end-user-list">
            {users === null ? (
              <li className="py-2"><Spinner /></li>
            ) : users.length === 0 ? (
              <li className="py-4 text-sm text-slate-500">No end users yet. Memories you store appear here.</li>
            ) : (
              users.map((user) => (
                <li key={user.external_user_id}>
                  <button
                    type="button"
                    onClick={() => choose(user.external_user_id)}
                    className={`flex w-full justify-between gap-2 px-2 py-2 text-left text-sm hover:bg-slate-50 ${selected === user.external_user_id ? 'bg-brand-50' : ''}`}
                    data-testid="end-user-item"
                  >
                    <span className="truncate">{user.external_user_id}</span>
                    <span className="text-slate-500 tabular-nums">{user.memory_count}</span>
                  </button>
                </li>
              ))
            )}
          </ul>
        </Card>
        <div className="space-y-6">
          {!selected ? (
            <>
              <Card title="Search all end users">
                <form onSubmit={onSearchAll} className="flex gap-2">
                  <Input name="query" placeholder="Semantic search across every end user’s memories" aria-label="Search all end users’ memories" data-testid="all-users-search" />
                  <Button type="submit" disabled={searchingAll} data-testid="all-users-search-submit">{searchingAll ? 'Searching…' : 'Search'}</Button>
                  {allHits && <Button variant="ghost" type="button" onClick={() => setAllHits(null)}>Clear</Button>}
                </form>
                {allHits && (
                  <ul className="mt-4 divide-y divide-slate-100" data-testid="all-users-results">
                    {allHits.length === 0 ? (
                      <li className="py-4 text-sm text-slate-500">Nothing matched.</li>
                    ) : (
                      allHits.map((hit) => (
                        <li key={hit.memory.id} className="flex items-start justify-between gap-4 py-3">
                          <button type="button" className="text-left text-sm hover:underline" onClick={() => void openFromAll(hit)} data-testid="all-users-hit">
                            {hit.memory.content}
                            <span className="mt-0.5 block text-xs text-slate-500" data-testid="all-users-hit-user">{hit.memory.external_user_id}</span>
                          </button>
                          <span className="shrink-0 text-xs text-slate-500 tabular-nums">score {hit.combined_score.toFixed(2)}</span>
                        </li>
                      ))
                    )}
                  </ul>
                )}
              </Card>
              <EmptyState title="Choose an end user">Their memories, newest first, will show here.</EmptyState>
            </>
          ) : (
            <>
              <Card title={<span className="break-all">{selected}</span>}>
                <form onSubmit={onSearch} className="flex gap-2">
                  <Input name="query" placeholder="Semantic search in this user’s memories" aria-label="Search memories" data-testid="memory-search" />
                  <Button type="submit" data-testid="memory-search-submit">Search</Button>
                  {hits && <Button variant="ghost" type="button" onClick={() => setHits(null)}>Clear</Button>}
                </form>
                <ul className="mt-4 divide-y divide-slate-100" data-testid="memory-list">
                  {memories === null && !hits ? (
                    <li className="py-2"><Spinner /></li>
                  ) : list.length === 0 ? (
                    <li className="py-4 text-sm text-slate-500">{hits ? 'Nothing matched.' : 'No memories.'}</li>
                  ) : (
                    list.map(({ memory, score }) => (
                      <li key={memory.id} className="flex items-start justify-between gap-4 py-3">
                        <button type="button" className="text-left text-sm hover:underline" onClick={() => openDetail(memory.id)} data-testid="memory-item">
                          {memory.content}
                        </button>
                        <span className="shrink-0 text-xs text-slate-500 tabular-nums">
                          {score !== null ? <span data-testid="memory-score">score {score.toFixed(2)}</span> : new Date(memory.created_at).toLocaleDateString()}
                        </span>
                      </li>
                    ))
                  )}
                </ul>
                {!hits && memories && memories.total > PAGE_SIZE && (
                  <div className="mt-4 flex items-center justify-between text-sm">
                    <Button variant="secondary" disabled={memories.offset === 0} onClick={() => selected && loadMemories(selected, Math.max(0, memories.offset - PAGE_SIZE))}>Previous</Button>
                    <span className="text-slate-500">{memories.offset + 1}–{Math.min(memories.total, memories.offset + PAGE_SIZE)} of {memories.total}</span>
                    <Button variant="secondary" disabled={memories.offset + PAGE_SIZE >= memories.total} onClick={() => selected && loadMemories(selected, memories.offset + PAGE_SIZE)}>Next</Button>
                  </div>
                )}
              </Card>
              {detail && (
                <Card title="Memory" actions={<Button variant="danger" onClick={() => removeMemory(detail.id)} data-testid="delete-memory">Delete</Button>}>
                  <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm" data-testid="memory-detail">
                    <dt className="text-slate-500">Content</dt><dd className="whitespace-pre-wrap">{detail.content}</dd>
                    <dt className="text-slate-500">Id</dt><dd className="font-mono text-xs">{detail.id}</dd>
                    <dt className="text-slate-500">Category</dt><dd>{detail.category}</dd>
                    <dt className="text-slate-500">Entities</dt><dd data-testid="memory-entities">{detail.entities.length ? detail.entities.join(', ') : '—'}</dd>
                    <dt className="text-slate-500">Importance</dt><dd>{detail.importance.toFixed(2)}</dd>
                    <dt className="text-slate-500">Accessed</dt><dd>{detail.accessCount} times{detail.lastAccessed ? `, last ${new Date(detail.lastAccessed).toLocaleString()}` : ''}</dd>
                    <dt className="text-slate-500">Source</dt><dd>{detail.source}{detail.context ? <span className="block text-xs text-slate-500">Context: {detail.context}</span> : null}</dd>
                    <dt className="text-slate-500">Valid</dt><dd>from {new Date(detail.validFrom).toLocaleString()}{detail.validTo ? ` to ${new Date(detail.validTo).toLocaleString()}` : ' (current)'}</dd>
                    <dt className="text-slate-500">Metadata</dt><dd><pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(detail.metadata, null, 2)}</pre></dd>
                    {history.length > 1 && (
                      <>
                        <dt className="text-slate-500">History</dt>
                        <dd>
                          <ol className="list-decimal pl-5 text-xs" data-testid="memory-history">
                            {history.map((entry) => (
                              <li key={entry.id} className={entry.id === detail.id ? 'font-semibold' : ''}>
                                {entry.content} <span className="text-slate-500">({new Date(entry.validFrom).toLocaleDateString()}{entry.validTo ? ` – ${new Date(entry.validTo).toLocaleDateString()}` : ', current'})</span>
                              </li>
                            ))}
                          </ol>
                        </dd>
                      </>
                    )}
                  </dl>
                </Card>
              )}
              <Card title="Delete this end user">
                <p className="text-sm text-slate-600">Deletes every memory and chat message of this end user. Type the id to confirm.</p>
                <div className="mt-3 flex gap-2">
                  <Input value={confirmText} onChange={(e) => setConfirmText(e.target.value)} aria-label="Type the end user id to confirm" data-testid="delete-user-confirm" />
                  <Button variant="danger" disabled={confirmText !== selected} onClick={removeUser} data-testid="delete-user">Delete all</Button>
                </div>
              </Card>
            </>
          )}
        </div>
      </div>
      </>}
    </div>
  );
}
