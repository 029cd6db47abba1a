import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/lib/data-converter';
import { WORKFLOWS_PATH } from '../src/worker';

/** Prebuilds the workflow bundle for production so workers start without webpack. */
async function main() {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  const target = path.resolve(__dirname, '../dist/workflow-bundle.js');
  fs.writeFileSync(target, code);
  console.log(`wrote ${path.relative(process.cwd(), target)} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
