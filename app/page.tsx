import Link from 'next/link';

const FEATURES = [
  ['Store', 'Save facts, preferences and context for any end user with one call.'],
  ['Chat', 'Relevant memories are retrieved and injected into every LLM call.'],
  ['Isolate', 'Millions of end users, each with private memory, behind one API key.'],
];

export default function HomePage() {
  return (
    <main className="mx-auto max-w-5xl px-4 py-16">
      <nav className="flex items-center justify-between">
        <span className="text-lg font-semibold text-brand-700">Memory Layer</span>
        <div className="flex gap-4 text-sm">
          <Link href="/docs" className="text-slate-600 hover:text-slate-900">Docs</Link>
          <Link href="/login" className="text-slate-600 hover:text-slate-900" data-testid="home-login">Sign in</Link>
        </div>
      </nav>
      <section className="mt-20 max-w-2xl">
        <h1 className="text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl">Persistent memory for your AI app</h1>
        <p className="mt-4 text-lg text-slate-600">Your AI forgets users between conversations. Memory Layer stores what they said, finds what matters for the next message, and puts it into the prompt.</p>
        <div className="mt-8 flex gap-3">
          <Link href="/signup" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700" data-testid="home-signup">Get started free</Link>
          <Link href="/docs" className="rounded-md px-4 py-2 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-white">Read the API docs</Link>
        </div>
      </section>
      <section className="mt-16 grid gap-6 sm:grid-cols-3">
        {FEATURES.map(([title, text]) => (
          <div key={title} className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
            <h2 className="font-semibold">{title}</h2>
            <p className="mt-1 text-sm text-slate-600">{text}</p>
          </div>
        ))}
      </section>
    </main>
  );
}
