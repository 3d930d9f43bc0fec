'use client';
import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, Input, Label } from '@/components/ui/primitives';
import { useApi } from './use-api';
import { PlaygroundContext } from './playground-context';
import { PlaygroundSearch } from './playground-search';
import { Tabs } from './widgets';
import type { ChatResponseT } from '@/lib/schemas/chat';

type Reply = ChatResponseT;

interface Turn {
  message: string;
  answer: Reply;
}

type Tab = 'chat' | 'search' | 'context';
const TABS: { id: Tab; label: string }[] = [
  { id: 'chat', label: 'Chat' },
  { id: 'search', label: 'Search (explain)' },
  { id: 'context', label: 'Context (budget)' },
];

export function PlaygroundPage() {
  const [endUser, setEndUser] = useState('playground@example.com');
  const [tab, setTab] = useState<Tab>('chat');
  return (
    <div className="max-w-3xl space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Playground</h1>
        <p className="mt-1 text-sm text-slate-600">Chat as one of your end users, see how search ranks their memories, and what a context block keeps.</p>
      </header>
      <Card>
        <Label htmlFor="end-user">End user</Label>
        <Input id="end-user" value={endUser} onChange={(e) => setEndUser(e.target.value)} data-testid="playground-user" />
      </Card>
      <Tabs tabs={TABS} value={tab} onChange={setTab} testId="playground-tab" />
      {/* Kept mounted, so a tab keeps its conversation or results when you switch. */}
      <div hidden={tab !== 'chat'} role="tabpanel"><PlaygroundChat endUser={endUser} /></div>
      <div hidden={tab !== 'search'} role="tabpanel"><PlaygroundSearch endUser={endUser} /></div>
      <div hidden={tab !== 'context'} role="tabpanel"><PlaygroundContext endUser={endUser} /></div>
    </div>
  );
}

function PlaygroundChat({ endUser }: { endUser: string }) {
  const api = useApi();
  const [conversationId] = useState(() => `playground-${Date.now()}`);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSend(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const message = String(new FormData(form).get('message') ?? '').trim();
    if (!message) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api<Reply>('/api/dashboard/chat', { method: 'POST', body: { message, external_user_id: endUser, conversation_id: conversationId } });
      setTurns((current) => [...current, { message, answer }]);
      form.reset();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-6">
      <div className="space-y-4" data-testid="playground-turns" aria-live="polite">
        {turns.length === 0 && <p className="text-sm text-slate-500">Say something about yourself, then ask about it.</p>}
        {turns.map((turn, index) => (
          <div key={index} className="space-y-2">
            <p className="ml-auto w-fit max-w-[80%] rounded-lg bg-brand-600 px-3 py-2 text-sm text-white">{turn.message}</p>
            <div className="max-w-[90%] rounded-lg bg-white px-3 py-2 text-sm shadow-sm ring-1 ring-slate-200" data-testid="playground-reply">
              <p className="whitespace-pre-wrap">{turn.answer.reply}</p>
              <div className="mt-2 border-t border-slate-100 pt-2 text-xs text-slate-500">
                <p>
                  {turn.answer.mode === 'offline' ? 'Offline responder (no LLM configured)' : `Model: ${turn.answer.model}`} ·{' '}
                  <span data-testid="memory-created">{turn.answer.memory_created ? 'message stored as a memory' : 'message not stored'}</span>
                </p>
                {turn.answer.used_memories.length > 0 && (
                  <ul className="mt-1 list-disc pl-4" data-testid="used-memories">
                    {turn.answer.used_memories.map((memory) => (
                      <li key={memory.id}>{memory.memory_text} <span className="tabular-nums">({memory.score.toFixed(2)})</span></li>
                    ))}
                  </ul>
                )}
              </div>
            </div>
          </div>
        ))}
      </div>
      {error && <Alert>{error}</Alert>}
      <form onSubmit={onSend} className="flex gap-2">
        <Input name="message" placeholder="Type a message" maxLength={8000} aria-label="Message" data-testid="playground-message" />
        <Button type="submit" disabled={busy} data-testid="playground-send">{busy ? 'Sending…' : 'Send'}</Button>
      </form>
    </div>
  );
}
