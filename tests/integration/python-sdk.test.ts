import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { startAppServer, type AppServer } from '@/tests/helpers/app-server';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// The Python SDK (packages/python, standard library only) run by Debian's python3 against the app over real HTTP.
// Each Python test module is run by tests/run.py, which writes unittest's result as JSON: a Python failure or error
// fails the test here with its traceback and the verbose unittest output.

const PACKAGE = path.resolve(import.meta.dirname, '../../packages/python');
const RUNNER = path.join(PACKAGE, 'tests', 'run.py');
const PYTHON = process.env.PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const PY_TIMEOUT_MS = 170_000;

interface UnittestSummary {
  module: string;
  python: string;
  testsRun: number;
  failures: { test: string; traceback: string }[];
  errors: { test: string; traceback: string }[];
  skipped: { test: string; reason: string }[];
  unexpectedSuccesses: string[];
  ok: boolean;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let app: TestApp;
let server: AppServer;
let account: TestAccount;
let otherAccount: TestAccount;
let pythonHasRequests = false;

function runProcess(args: string[], env: Record<string, string>, cwd = PACKAGE): Promise<Run> {
  return new Promise((resolve) => {
    // Asynchronous on purpose: the app server answering Python runs in this process's event loop.
    execFile(PYTHON, args, { cwd, env: { ...process.env, ...env }, timeout: PY_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (error && typeof error.code !== 'number' ? `\n${error.message}` : '') });
    });
  });
}

async function runPythonTests(module: string, env: Record<string, string> = {}): Promise<{ summary: UnittestSummary; output: string }> {
  const resultFile = path.join(os.tmpdir(), `python-sdk-${randomUUID()}.json`);
  const run = await runProcess([RUNNER, module, resultFile], {
    MEMORY_LAYER_API_KEY: account.apiKey,
    MEMORY_LAYER_OTHER_API_KEY: otherAccount.apiKey,
    MEMORY_LAYER_BASE_URL: server.url,
    PYTHONDONTWRITEBYTECODE: '1',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...env,
  });
  const output = `python3 ${module} exited ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
  if (!fs.existsSync(resultFile)) throw new Error(`no unittest result was written\n${output}`);
  const summary = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as UnittestSummary;
  fs.rmSync(resultFile, { force: true });
  return { summary, output };
}

/** Every test of the module ran (none skipped, none missing) and passed; otherwise the Python output is the message. */
async function expectPythonTestsPass(module: string, expectedTests: number, env: Record<string, string> = {}) {
  const { summary, output } = await runPythonTests(module, env);
  const problems = [...summary.failures, ...summary.errors].map((f) => `${f.test}\n${f.traceback}`).join('\n');
  expect(problems, output).toBe('');
  expect(summary.skipped, output).toEqual([]);
  expect(summary.testsRun, output).toBe(expectedTests);
  expect(summary.ok, output).toBe(true);
  return { summary, output };
}

beforeAll(async () => {
  app = await startTestApp();
  server = await startAppServer();
  account = await createAccount();
  otherAccount = await createAccount();
  pythonHasRequests = (await runProcess(['-c', 'import requests'], {})).code === 0;
});
afterAll(async () => {
  await server?.close();
  await app?.stop();
});

describe('Python SDK (packages/python) with Debian python3', () => {
  it('is Python 3.9 syntax and standard library only, and compiles', async () => {
    await expectPythonTestsPass('test_syntax', 5);
    const compiled = await runProcess(['-m', 'compileall', '-q', '-f', path.join(PACKAGE, 'src')], { PYTHONPYCACHEPREFIX: path.join(os.tmpdir(), `pycache-${randomUUID()}`) });
    expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);
  });

  it('pip builds it into a wheel whose installed package imports, is typed and depends on nothing', async () => {
    // Built from a copy, offline (no build isolation: Debian's setuptools), so parallel runs never share a build dir.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'python-sdk-pip-'));
    const source = path.join(dir, 'memory-layer');
    fs.mkdirSync(source);
    for (const entry of ['pyproject.toml', 'README.md', 'src']) fs.cpSync(path.join(PACKAGE, entry), path.join(source, entry), { recursive: true });
    const wheel = await runProcess(['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '--disable-pip-version-check', '-w', path.join(dir, 'dist'), source], {}, dir);
    expect(wheel.code, wheel.stdout + wheel.stderr).toBe(0);
    const [built] = fs.readdirSync(path.join(dir, 'dist'));
    expect(built).toMatch(/^memory_layer-0\.1\.0-py3-none-any\.whl$/);
    const target = path.join(dir, 'site');
    const install = await runProcess(['-m', 'pip', 'install', '--no-index', '--no-deps', '--disable-pip-version-check', '--target', target, path.join(dir, 'dist', built!)], {}, dir);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    const check = [
      'import importlib.metadata as m, os, memory_layer',
      'assert memory_layer.__file__.startswith(os.environ["PYTHONPATH"]), memory_layer.__file__',
      'assert os.path.exists(os.path.join(os.path.dirname(memory_layer.__file__), "py.typed"))',
      'print(m.version("memory-layer"), m.requires("memory-layer"), m.metadata("memory-layer")["Requires-Python"], memory_layer.MemoryLayerClient.__name__)',
    ].join('\n');
    const imported = await runProcess(['-c', check], { PYTHONPATH: target }, dir);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout.trim()).toBe('0.1.0 None >=3.9 MemoryLayerClient');
  });

  it('a failing Python test fails here, with its traceback', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'python-sdk-meta-'));
    fs.writeFileSync(
      path.join(dir, 'test_meant_to_fail.py'),
      'import unittest\n\nclass T(unittest.TestCase):\n    def test_wrong(self):\n        self.assertEqual(1, 2)\n\n    def test_right(self):\n        pass\n',
    );
    const { summary } = await runPythonTests('test_meant_to_fail', { PYTHONPATH: dir });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(summary.ok).toBe(false);
    expect(summary.testsRun).toBe(2);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]!.traceback).toContain('AssertionError: 1 != 2');
  });

  it('Memory Layer paths: remember, recall (hybrid, semantic, threshold, limit), list, get, stats, forget, prune/restore, maintenance, chat (plain, streamed, legacy), request()', async () => {
    await expectPythonTestsPass('test_memory_layer_surface', 13);
  });

  it('m3mory paths: ingest, context, search with filters, memories, detail, history, delete, status', async () => {
    await expectPythonTestsPass('test_m3mory_surface', 6);
  });

  it('data ownership: export iterated as JSON Lines, import into another account, forget an end user', async () => {
    await expectPythonTestsPass('test_data_ownership', 4);
  });

  it('typed errors: 401, 422 with details, 404, and nothing of another account', async () => {
    await expectPythonTestsPass('test_errors', 6);
  });

  it('retries: 429 then 200 honouring Retry-After, backoff on 5xx for safe requests only, refused connections', async () => {
    await expectPythonTestsPass('test_retry', 11);
  });

  it("the reference's MemoryLayerClient usage works when imported from memory_layer", async () => {
    await expectPythonTestsPass('test_reference_client', 3);
  });

  it("the reference's own example file (with requests) runs unchanged against the app", async () => {
    // Debian's python3 has no `requests`: then (only for this run) a labelled stdlib shim stands in for it.
    const env: Record<string, string> = pythonHasRequests ? {} : { PYTHONPATH: path.join(PACKAGE, 'tests', 'shims') };
    const { output } = await expectPythonTestsPass('test_reference_example', 1, env);
    expect(output).toContain(pythonHasRequests ? 'the real library' : 'test shim');
  });
});
