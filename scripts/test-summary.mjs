// Sums the JSON reports of the unit, integration and e2e runs into one closing line: "Tests: N passed, N failed, N skipped".
import fs from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined);

for (const file of ['reports/vitest-unit.json', 'reports/vitest-integration.json']) {
  const report = read(file);
  if (!report) continue;
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}
const e2e = read('reports/playwright.json');
if (e2e) {
  totals.passed += e2e.stats.expected;
  totals.failed += e2e.stats.unexpected + e2e.stats.flaky;
  totals.skipped += e2e.stats.skipped;
}
console.log(`Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
