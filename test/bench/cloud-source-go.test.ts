import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CLOUD_SOURCE_DIR, goCommand } from '../../bench/support/cloud-source';

const run = promisify(execFile);

/**
 * The Go unit tests of the cloud-like source: its listing and counting agree, query by query, with
 * a scan of every row (before and after mutations); its parser refuses what it does not serve with
 * the server's wording; its hand-written wire format decodes to the records it describes.
 */
describe('the cloud-like source (go test)', () => {
  it('passes its Go unit tests', async () => {
    const { stdout } = await run(goCommand(), ['test', './...'], {
      cwd: CLOUD_SOURCE_DIR,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      assert.fail(`go test failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    for (const name of ['internal/gen', 'internal/query', 'internal/store'])
      assert.match(stdout, new RegExp(`^ok\\s+\\S+/${name}\\b`, 'm'), `${name} ran`);
  });
});
