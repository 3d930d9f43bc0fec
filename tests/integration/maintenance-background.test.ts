// A maintenance request waits `wait` seconds for its job; a job still going then is answered as running and goes on in
// the background, its run recording the outcome. So a job over a large account never holds a request (or a proxy's
// timeout) for its whole length.
import { describe, expect, it } from 'vitest';
import * as job from '@/app/api/v1/memory/maintenance/[job_type]/route';
import * as runs from '@/app/api/v1/memory/maintenance/runs/route';
import * as memory from '@/app/api/v1/memory/route';
import * as summarize from '@/app/api/v1/memory/summarize/route';
import { drainDeferred } from '@/lib/core/after-response';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';

const tenant = withAccount();

const hiking = ['I love hiking in the Swiss Alps', 'Hiking in the Alps is my favourite hobby', 'I go hiking in the Alps every summer', 'My favourite hobby is hiking in the mountains'];
async function seed(user: string) {
  for (const content of hiking) {
    expect((await call(memory.POST, 'POST', '/api/v1/memory', { token: tenant.apiKey, body: { content, external_user_id: user } })).status).toBe(201);
  }
}
const runOf = async (id: string) => {
  const res = await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: tenant.apiKey });
  return (res.body.runs as { id: string; status: string; counts: Record<string, number> }[]).find((run) => run.id === id)!;
};

describe('maintenance in the background', () => {
  it('wait=0 answers running at once; the job finishes after the response and its run records the outcome', async () => {
    await seed('background');
    const res = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: tenant.apiKey, query: { external_user_id: 'background', wait: '0' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'running', run: { job_type: 'summarization', status: 'running', finished_at: null } });
    await drainDeferred();
    expect(await runOf(res.body.run.id)).toMatchObject({ status: 'succeeded', counts: { end_users: 1, clusters: 1, summaries_created: 1 } });
  });

  it('by default a short job is answered with its outcome, as before', async () => {
    await seed('foreground');
    const res = await call(job.POST, 'POST', '/api/v1/memory/maintenance/link-optimization', { token: tenant.apiKey, params: { job_type: 'link-optimization' }, query: { external_user_id: 'foreground' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'success', run: { status: 'succeeded', counts: { end_users: 1 } } });
    expect(res.body.run.counts.links).toBeGreaterThan(0);
  });

  it('wait outside 0–60 is a 422 naming the field, and starts no run', async () => {
    const before = (await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: tenant.apiKey })).body.total_count;
    const res = await call(job.POST, 'POST', '/api/v1/memory/maintenance/all', { token: tenant.apiKey, params: { job_type: 'all' }, query: { wait: '61' } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body.details)).toContain('wait');
    expect((await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: tenant.apiKey })).body.total_count).toBe(before);
  });
});
