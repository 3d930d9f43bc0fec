'use client';
import { useEffect, useState } from 'react';
import { Alert, Card } from '@/components/ui/primitives';
import type { z } from 'zod';
import type { AccountSettingsResponse } from '@/lib/schemas/dashboard';
import { useApi } from './use-api';

type Settings = z.infer<typeof AccountSettingsResponse>;

/** The account's opt-in to scheduled pruning (off by default: scheduled maintenance never archives without it). */
export function ScheduledPruningSetting() {
  const api = useApi();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Settings>('/api/dashboard/settings').then(setSettings, (e: Error) => setError(e.message));
  }, [api]);

  const toggle = async (value: boolean) => {
    setSaving(true);
    setError(null);
    try {
      setSettings(await api<Settings>('/api/dashboard/settings', { method: 'POST', body: { scheduled_pruning: value } }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card title="Scheduled pruning">
      {error && <Alert testId="settings-error">{error}</Alert>}
      <label className="flex items-start gap-3 text-sm">
        <input
          type="checkbox"
          data-testid="scheduled-pruning"
          className="mt-1"
          checked={settings?.scheduled_pruning ?? false}
          disabled={settings === null || saving}
          onChange={(event) => void toggle(event.target.checked)}
        />
        <span>
          <span className="font-medium text-slate-800">Let scheduled maintenance archive stale memories</span>
          <span className="block text-slate-600">
            Off by default. When on, memories stored here more than 90 days ago and unused since, or with importance below 0.1, are archived on
            the schedule (restorable under Memories › Archived). A backdated import or ingest timestamp does not make a memory stale.
          </span>
        </span>
      </label>
    </Card>
  );
}
