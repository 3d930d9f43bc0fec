/** A labelled horizontal progress bar (0–100); `status` is exposed for tests and assistive tech. */
export function ProgressBar({ value, label, status, testId }: { value: number; label: string; status?: string; testId?: string }) {
  const percent = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className="space-y-1" data-testid={testId} data-status={status}>
      <div className="flex justify-between text-xs text-slate-600">
        <span data-testid={testId ? `${testId}-label` : undefined}>{label}</span>
        <span className="tabular-nums">{percent}%</span>
      </div>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="h-2 overflow-hidden rounded-full bg-slate-100">
        <div className={`h-full rounded-full transition-[width] ${status === 'failed' ? 'bg-red-500' : 'bg-brand-600'}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

/** Tabs as buttons; the chosen one is aria-selected. */
export function Tabs<T extends string>({ tabs, value, onChange, testId }: { tabs: { id: T; label: string }[]; value: T; onChange: (id: T) => void; testId: string }) {
  return (
    <div role="tablist" className="flex gap-1 border-b border-slate-200">
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          aria-selected={value === tab.id}
          onClick={() => onChange(tab.id)}
          data-testid={`${testId}-${tab.id}`}
          className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${value === tab.id ? 'border-brand-600 text-brand-700' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
