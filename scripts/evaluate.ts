/**
 * npm run evaluate -- <file.json> [--policy <id>] [--policies <dir>] [--catalog <dir>] [--json]
 *
 * <file.json> is a CDS Hooks request (gathered from its prefetch, then facts, then every draft order evaluated, as
 * the service does) or a ClinicalFacts object. Prints the trace: every criterion with status, value and evidence,
 * the dose check and the outcome — or, for an input that cannot be evaluated, why and how to fix it (exit 1).
 * Never a stack trace: an unexpected failure prints its message (EVALUATE_DEBUG=1 adds the stack).
 */
import { parseEvaluateArgs, runEvaluate } from './lib/evaluate-run.js';

const args = parseEvaluateArgs(process.argv.slice(2));
if (typeof args === 'string') {
  console.error(args);
  process.exit(2);
}
runEvaluate(args).then(
  ({ code, lines }) => {
    (code === 0 ? console.log : console.error)(lines.join('\n'));
    process.exitCode = code;
  },
  (err: unknown) => {
    const debug = process.env['EVALUATE_DEBUG'] === '1';
    console.error(`evaluate failed: ${err instanceof Error ? (debug ? err.stack ?? err.message : err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
