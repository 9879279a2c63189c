// Renders a CompareResult as JUnit XML, which CI systems display: one testcase per (run, metric), failures for regressions.
import type { CompareResult } from './compare';
import { formatCompareText, tableRow } from './format';

/** The JUnit XML document. Missing runs are failed testcases named "present"; added runs go to system-out. */
export function formatJunitXml(result: CompareResult): string {
  const cases: string[] = [];
  for (const check of result.checks) {
    const [metric, run, baseline, current, delta, tolerance] = tableRow(check);
    const open = `    <testcase classname="${escapeXml(`losslab.compare.${check.run}`)}" name="${escapeXml(metric)}"`;
    if (check.verdict === 'PASS') {
      cases.push(`${open}/>`);
      continue;
    }
    const message =
      check.kind === 'status'
        ? `run ${run} is ${current} in current, expected complete`
        : check.kind === 'config'
          ? `run ${run} was trained with another config: config_hash ${current} in current, ${baseline} in baseline (a changed setting or module source)`
          : `${metric} of ${run}: baseline ${baseline}, current ${current}, delta ${delta}, allowed ${tolerance}`;
    cases.push(
      `${open}>`,
      `      <failure message="${escapeXml(message)}" type="regression">${escapeXml(message)}</failure>`,
      '    </testcase>',
    );
  }
  for (const runId of result.missing) {
    const message = `run ${runId} is in the baseline but missing from current`;
    cases.push(
      `    <testcase classname="${escapeXml(`losslab.compare.${runId}`)}" name="present">`,
      `      <failure message="${escapeXml(message)}" type="missing">${escapeXml(message)}</failure>`,
      '    </testcase>',
    );
  }
  const tests = result.checks.length + result.missing.length;
  const suite = `tests="${tests}" failures="${result.failures}" errors="0"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="losslab compare" ${suite}>`,
    `  <testsuite name="${escapeXml(`losslab compare ${result.current.source} vs ${result.baseline.source}`)}" ${suite}>`,
    ...cases,
    `    <system-out>${escapeXml(formatCompareText(result))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry (control characters). */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- the control characters are what this removes
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
